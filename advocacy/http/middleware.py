"""Cross-cutting request handling: request id, metrics and access log; who is calling; CSRF on cookies."""

from __future__ import annotations

import hmac
import itertools
import logging
import re
import secrets
import time
from http.cookies import SimpleCookie
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Send

from advocacy.auth.service import CSRF_HEADER, SESSION_COOKIE, principal_for_session, principal_for_token
from advocacy.core.i18n import N_, set_language
from advocacy.http.guards import ACCESS_OPT
from advocacy.logs import request_id_var
from advocacy.scim.service import SCIM_TOKEN_PREFIX, client_for_token

# Litestar's ASGI TypedDicts make every key access a union puzzle; these middlewares treat them as mappings.
Scope = Any
Message = Any

access_log = logging.getLogger("advocacy.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def request_id_for(scope: Scope) -> str:
    """The caller's `X-Request-ID` when it is sane, else a new one."""
    incoming = header(scope, b"x-request-id")
    return incoming if incoming and _REQUEST_ID.match(incoming) else next_request_id()


async def ensure_request_id(message: Message, scope: Scope) -> None:
    """`before_send` hook: answers Litestar gives before any route matched (404, 405) get an id too."""
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    headers = list(message.get("headers") or ())
    if not any(name.lower() == b"x-request-id" for name, _ in headers):
        request_id = request_id_var.get() or request_id_for(scope)
        message["headers"] = [*headers, (b"x-request-id", request_id.encode())]


async def correct_allow(message: Message, scope: Scope) -> None:
    """`before_send` hook: an `Allow` header (OPTIONS, 405) lists every method of the route.

    Litestar's automatic OPTIONS answer reads the methods of the route object that existed when the path's
    first handler was registered, so it can miss the methods registered after it.
    """
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    headers = message.get("headers") or ()
    if not any(name.lower() == b"allow" for name, _ in headers):
        return
    allowed = scope["litestar_app"].state.allowed_methods.get(scope.get("path_template"))
    if allowed:
        message["headers"] = [
            *((name, value) for name, value in headers if name.lower() != b"allow"),
            (b"allow", allowed.encode()),
        ]


# Unique per process start (random prefix) and per request (counter); uuid4 would read the OS entropy
# pool on every request, which is measurably slow on small VMs.
_ID_PREFIX = secrets.token_hex(6)
_id_counter = itertools.count(1)


def next_request_id() -> str:
    return f"{_ID_PREFIX}{next(_id_counter):010x}"


class RequestContextMiddleware(ASGIMiddleware):
    """Gives every request an id (kept from `X-Request-ID` when sane), counts it and logs it."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = request_id_for(scope)
        token = request_id_var.set(request_id)
        encoded_id = request_id.encode()
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", encoded_id)]
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        except HTTPException as exc:
            # refused before any handler ran (authentication middleware): answered further out
            status = exc.status_code
            raise
        finally:
            elapsed = time.perf_counter() - started
            state = scope["litestar_app"].state
            route = route_label(scope)
            state.metrics.observe(scope["method"], route, status, elapsed)
            if state.settings.access_log:
                access_log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)


def route_label(scope: Scope) -> str:
    """The route a request is counted under in /metrics: its path template; a mounted ASGI route (which
    Litestar gives no template) names its own with opt={"metrics_route": ...}."""
    template = scope.get("path_template")
    if template:
        return str(template)
    handler = scope.get("route_handler")
    named = handler.opt.get("metrics_route") if handler is not None else None
    return str(named) if named else "unmatched"


def _session_cookie(scope: Scope) -> str | None:
    raw = header(scope, b"cookie")
    if not raw or SESSION_COOKIE not in raw:
        return None
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(raw)
    except Exception:  # a malformed Cookie header is the client's problem: treat as no session
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else None


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts the Principal on scope["user"] from a bearer token or a session cookie, then admits or refuses.

    It then enforces the route's declared Allow (see guards.declare_access_in_opt): public routes stay
    public, and a bad credential leaves a reason in scope["auth_error"] for the 401. A cookie-authenticated unsafe API call must carry the
    session's CSRF token in `X-CSRF-Token` (bearer calls carry no ambient credential, so need none).
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope["litestar_app"].state
        scope["user"] = None
        scope["auth"] = None
        authorization = header(scope, b"authorization")
        if authorization is not None:
            scheme, _, credential = authorization.partition(" ")
            if scheme.lower() != "bearer" or not credential.strip():
                scope["auth_error"] = N_("The Authorization header must be 'Bearer <token>'")
            elif credential.strip().startswith(SCIM_TOKEN_PREFIX):
                # an organisation's SCIM token: a caller of its own kind, which only SCIM routes admit
                scim_client = await client_for_token(state.db, credential.strip())
                if scim_client is None:
                    scope["auth_error"] = N_("This SCIM token is unknown, expired or revoked")
                scope["user"] = scim_client
                scope["auth"] = "scim"
            else:
                principal = await principal_for_token(state.db, state.principal_cache, credential.strip())
                if principal is None:
                    scope["auth_error"] = N_("This API token is unknown, expired or revoked")
                scope["user"] = principal
                scope["auth"] = "token"
        else:
            session_token = _session_cookie(scope)
            if session_token:
                principal = await principal_for_session(state.db, state.principal_cache, session_token)
                if principal is None:
                    scope["auth_error"] = N_("Your session has ended; sign in again")
                elif (
                    scope["method"] not in _SAFE_METHODS
                    and scope["path"].startswith("/api/")
                    and not _csrf_ok(scope, principal.csrf_token)
                ):
                    scope["auth_error"] = N_(
                        "Missing or wrong X-CSRF-Token header for a cookie-authenticated call"
                    )
                    principal = None
                scope["user"] = principal
                scope["auth"] = session_token if principal else None
        if scope["user"] is not None and not scope["path"].startswith("/api/"):
            # a page speaks its reader's language from the start, so a service's problem caught before the
            # page looks up its viewer is already in that language (API answers follow Accept-Language)
            set_language(scope["user"].language)
        handler = scope.get("route_handler")
        access = handler.opt.get(ACCESS_OPT) if handler is not None else None
        if access is not None:
            access.check(scope["user"])
        await next_app(scope, receive, send)


def _csrf_ok(scope: Scope, expected: str | None) -> bool:
    given = header(scope, CSRF_HEADER.encode())
    return bool(expected and given and hmac.compare_digest(given, expected))


def client_address(scope: Scope) -> str:
    client: Any = scope.get("client")
    return str(client[0]) if client else "unknown"
