"""`Idempotency-Key` on POST: the same key and body replay the stored response; another body is a 409."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp

from advocacy.http import idempotency_queries as queries
from advocacy.http.middleware import client_address, header
from advocacy.http.problems import PROBLEM_MEDIA_TYPE, Problem, problem_type

# Litestar's ASGI TypedDicts make every key access a union puzzle; these middlewares treat them as mappings.
Scope = Any
Message = Any
Receive = Any
Send = Any

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEEP_HOURS = 24
# A route whose success answer holds a secret (a new API token, a session's CSRF token) sets this in its
# opt: its answer is never written to the replay table; a replay is told the secret cannot be shown again.
ANSWERS_WITH_SECRET = "answers_with_secret"  # noqa: S105 - an opt name, not a secret


def anonymous_owner(secret_key: str, address: str) -> str:
    """The replay table's owner of an anonymous caller's keys: a keyed hash of the address, never the address."""
    digest = hmac.digest(secret_key.encode(), b"advocacy-idempotency:" + address.encode(), "sha256")
    return "a:" + digest[:16].hex()


def _secret_not_kept(path: str, status: int) -> bytes:
    return msgspec.json.encode(
        Problem(
            type=problem_type("idempotency-secret-not-kept"),
            title="Answer not kept",
            status=409,
            detail=(
                f"The request with this Idempotency-Key succeeded (status {status}), but its answer held a "
                "secret, and secrets are never stored for replay: it cannot be shown again. If it was lost, "
                "revoke what was created and ask again with a new key."
            ),
            instance=path,
        )
    )


async def _send_problem(send: Send, scope: Scope, status: int, kind: str, title: str, detail: str) -> None:
    body = msgspec.json.encode(
        Problem(type=problem_type(kind), title=title, status=status, detail=detail, instance=scope["path"])
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        key = header(scope, b"idempotency-key")
        # SCIM (RFC 7644) has no Idempotency-Key, and its callers are no person to file keys under.
        if scope["method"] != "POST" or key is None or scope["path"].startswith("/scim/"):
            await next_app(scope, receive, send)
            return
        if not _KEY.match(key):
            await _send_problem(
                send, scope, 400, "bad-idempotency-key", "Bad Idempotency-Key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )  # fmt: skip
            return
        state = scope["litestar_app"].state
        # The route's own limit when it sets one (the CSV import allows more than the app-wide default).
        handler = scope.get("route_handler")
        limit = (
            handler.resolve_request_max_body_size() if handler else None
        ) or state.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_problem(
                    send, scope, 413, "body-too-large", "Request body too large",
                    f"The request body is larger than {limit} bytes",
                )  # fmt: skip
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        user = scope.get("user")
        owner = (
            f"p:{user.person_id}"
            if user is not None
            else anonymous_owner(state.settings.secret_key, client_address(scope))
        )
        digest = hashlib.sha256(
            b"\0".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).digest()
        async with state.db.connection() as conn:
            claimed = await queries.claimed_key(conn, owner, key, digest)
            stored = None if claimed else await queries.stored_response(conn, owner, key)
        if not claimed:
            if stored is None:  # expired between the two statements: treat as a conflict, the client retries
                stored = queries.StoredResponse(
                    request_hash=b"", status_code=None, content_type=None, body=None
                )
            if stored.request_hash != digest:
                await _send_problem(
                    send, scope, 409, "idempotency-key-reused", "Idempotency-Key reused",
                    "This Idempotency-Key was already used with another request body",
                )  # fmt: skip
            elif stored.status_code is None:
                await _send_problem(
                    send, scope, 409, "idempotency-in-progress", "Request in progress",
                    "A request with this Idempotency-Key is still being processed; retry shortly",
                )  # fmt: skip
            else:
                body_stored = stored.body or b""
                await send(
                    {
                        "type": "http.response.start",
                        "status": stored.status_code,
                        "headers": [
                            (b"content-type", (stored.content_type or "application/json").encode()),
                            (b"content-length", str(len(body_stored)).encode()),
                            (b"idempotent-replayed", b"true"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body_stored})
            return

        replayed = False

        async def replay_body() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        content_type = "application/json"
        response_chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
            await send(message)

        try:
            await next_app(scope, replay_body, capture)
        finally:
            async with state.db.connection() as conn:
                if status >= 500:
                    # The work may not have happened: let the client retry with the same key.
                    await queries.forget_key(conn, owner, key)
                elif status < 400 and handler is not None and handler.opt.get(ANSWERS_WITH_SECRET):
                    await queries.store_response(
                        conn,
                        owner,
                        key,
                        status_code=409,
                        content_type=PROBLEM_MEDIA_TYPE,
                        body=_secret_not_kept(scope["path"], status),
                    )
                else:
                    await queries.store_response(
                        conn,
                        owner,
                        key,
                        status_code=status,
                        content_type=content_type,
                        body=b"".join(response_chunks),
                    )
