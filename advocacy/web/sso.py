"""Single sign-on in the browser: the "Sign in with …" links of the sign-in page, and the OpenID Connect
routes (start, callback, back-channel logout) over advocacy/identity/sso/oidc.py."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, get, post
from litestar.datastructures import Cookie, State
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response

from advocacy.auth.controllers import session_cookie
from advocacy.core.errors import DomainError
from advocacy.http.guards import PUBLIC
from advocacy.identity.sso.oidc import OidcClient
from advocacy.identity.sso.signin import provider_session_of
from advocacy.settings import Settings
from advocacy.web.forms import FormState, read_form
from advocacy.web.i18n import Language, translator
from advocacy.web.render import safe_next, viewer_of

BROWSER_COOKIE = "advocacy_oidc"
OIDC_PATH = "/sso/oidc"


class SignInLink(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    href: str


def sign_in_links(settings: Settings, language: Language, next_url: str) -> list[SignInLink]:
    """A "Sign in with <provider>" link per single sign-on protocol configured (SAML adds its own here)."""
    _ = translator(language)
    links: list[SignInLink] = []
    if settings.oidc_issuer:
        query = f"?{urlencode({'next': next_url})}" if next_url != "/" else ""
        links.append(
            SignInLink(
                label=_("Sign in with %(provider)s", provider=settings.oidc_display_name),
                href=f"{OIDC_PATH}/start{query}",
            )
        )
    return links


def oidc_client(state: State) -> OidcClient:
    """The process's OIDC client (its cached discovery and keys); 404 when OIDC is not configured."""
    settings: Settings = state.settings
    if not settings.oidc_issuer:
        raise NotFoundException()
    client: OidcClient | None = state.get("oidc_client")
    if client is None:
        client = OidcClient(settings, state.redis)
        state.oidc_client = client
    return client


def _browser_cookie(settings: Settings, value: str, *, max_age: int) -> Cookie:
    return Cookie(
        key=BROWSER_COOKIE,
        value=value,
        max_age=max_age,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to the callback
        secure=settings.secure_cookies,
        path=OIDC_PATH,
    )


@get(f"{OIDC_PATH}/start", guards=[PUBLIC], include_in_schema=False)
async def oidc_start(request: Request[Any, Any, Any]) -> Response[Any]:
    client = oidc_client(request.app.state)
    browser_key = secrets.token_urlsafe(32)
    url = await client.begin(next_url=safe_next(request.query_params.get("next")), browser_key=browser_key)
    redirect = Redirect(url, status_code=303)
    redirect.cookies.append(_browser_cookie(client.settings, browser_key, max_age=600))
    return redirect


async def _refused_page(request: Request[Any, Any, Any], message: str, status: int) -> Response[Any]:
    # the sign-in page's module lists these links, so it is imported here, when first needed
    from advocacy.web.pages.account import login_form_page

    viewer = await viewer_of(request)
    form = FormState(values={}, lists={}, errors={}, detail=message, status=status)
    response = login_form_page(request, viewer, form)
    response.cookies.append(_browser_cookie(request.app.state.settings, "", max_age=0))
    return response


@get(f"{OIDC_PATH}/callback", guards=[PUBLIC], include_in_schema=False)
async def oidc_callback(request: Request[Any, Any, Any]) -> Response[Any]:
    state = request.app.state
    client = oidc_client(state)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    params = request.query_params
    if params.get("error") or not params.get("code") or not params.get("state"):
        # the provider said no (access_denied: the person cancelled), or a malformed call
        await client.forget_state(params.get("state") or "")
        return await _refused_page(request, _("Signing in with your company's account was cancelled"), 403)
    try:
        signed_in, next_url = await client.complete(
            state.db,
            code=params["code"],
            state=params["state"],
            browser_key=request.cookies.get(BROWSER_COOKIE, ""),
            session_hours=state.settings.session_ttl_hours,
        )
    except DomainError as exc:
        return await _refused_page(request, exc.detail_in(viewer.language), exc.status)
    redirect = Redirect(safe_next(next_url), status_code=303)
    hours = state.settings.session_ttl_hours
    redirect.cookies.append(session_cookie(state.settings, signed_in.token, max_age=hours * 3600))
    redirect.cookies.append(_browser_cookie(state.settings, "", max_age=0))
    return redirect


@post(f"{OIDC_PATH}/backchannel-logout", guards=[PUBLIC], include_in_schema=False, status_code=200)
async def oidc_backchannel_logout(request: Request[Any, Any, Any]) -> Response[Any]:
    """The provider's server tells us a session ended (OIDC Back-Channel Logout 2.8: 200, or 400 with an
    OAuth error body)."""
    state = request.app.state
    client = oidc_client(state)
    token = (await read_form(request)).get("logout_token")
    headers = {"Cache-Control": "no-store"}
    try:
        await client.back_channel_logout(state.db, token)
    except DomainError as exc:
        body = {"error": "invalid_request", "error_description": str(exc.extra.get("reason", exc.kind))}
        return Response(body, status_code=400, headers=headers)
    return Response(None, status_code=200, headers=headers)


async def provider_logout_url(state: State, session_token: str) -> str | None:
    """Where our sign-out sends the browser next when the session came from the OpenID provider and it offers
    RP-initiated logout; None otherwise."""
    settings: Settings = state.settings
    if not settings.oidc_issuer:
        return None
    opened_by = await provider_session_of(state.db, session_token)
    if opened_by is None or opened_by[0] != settings.oidc_issuer:
        return None
    return await oidc_client(state).end_session_url()


SSO_PAGES = [oidc_start, oidc_callback, oidc_backchannel_logout]
