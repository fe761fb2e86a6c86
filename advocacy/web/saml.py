"""SAML 2.0 single sign-on pages: our metadata for the provider, the way out to its sign-in page, and the
Assertion Consumer Service its auto-posted form comes back to. Each answers 404 while SAML is off."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect

from advocacy.auth.controllers import session_cookie
from advocacy.core.i18n import _, lazy_gettext
from advocacy.http.deps import DbDep, LimiterDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.identity.saml.provider import ACS_PATH, LOGIN_PATH, METADATA_PATH, SLO_PATH
from advocacy.identity.saml.service import Providers, finish_sign_in, provider_logout, start_sign_in
from advocacy.identity.sso.errors import SsoRefused
from advocacy.settings import Settings
from advocacy.web.identity.page import Page, render, sign_in_link, speaking
from advocacy.web.render import safe_next


class AcsForm(msgspec.Struct, frozen=True, kw_only=True):
    SAMLResponse: str = ""
    RelayState: str = ""


def saml_sign_in_label(settings: Settings) -> str | None:
    """What the sign-in page's SAML button says, None when SAML is off."""
    if not settings.saml_on:
        return None
    if settings.saml_idp_name:
        return _("Sign in with %(provider)s", provider=settings.saml_idp_name)
    return _("Sign in with your organisation's account")


def _providers(request: Request[Any, Any, Any], settings: Settings) -> Providers:
    if not settings.saml_on:
        raise NotFoundException()
    providers: Providers = request.app.state.saml
    return providers


@get(METADATA_PATH, guards=[PUBLIC], include_in_schema=False)
async def saml_metadata(request: Request[Any, Any, Any], settings: SettingsDep) -> Response[str]:
    """Our SP metadata: entity id, ACS URL (HTTP-POST) and the certificate our requests are signed with."""
    provider = await _providers(request, settings).get(settings)
    return Response(provider.metadata(), media_type="application/samlmetadata+xml")


# Each request sent is remembered in Redis for ten minutes: a generous bound per client address (a whole office
# may sign in from one address at nine) keeps a flood from filling Redis.
LOGIN_RULE = "300/minute"


@get(LOGIN_PATH, guards=[PUBLIC], include_in_schema=False)
async def saml_login(request: Request[Any, Any, Any], settings: SettingsDep, limiter: LimiterDep) -> Redirect:
    providers = _providers(request, settings)
    await limiter.hit(
        LOGIN_RULE,
        "saml-login",
        client_address(request.scope),
        message=str(lazy_gettext("Too many sign-in attempts from your address: wait a minute")),
    )
    url = await start_sign_in(
        providers, request.app.state.redis, settings, safe_next(request.query_params.get("next"))
    )
    return Redirect(url, status_code=303, headers={"Cache-Control": "no-store"})


@post(ACS_PATH, guards=[PUBLIC], include_in_schema=False, status_code=303)
async def saml_acs(
    request: Request[Any, Any, Any],
    data: Annotated[AcsForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Response[Any]:
    providers = _providers(request, settings)
    with speaking(request):
        try:
            signed_in, next_path = await finish_sign_in(
                providers, request.app.state.redis, db, settings, data.SAMLResponse
            )
        except SsoRefused as exc:
            page = Page(heading=_("Single sign-on refused"), lead=exc.detail, links=[sign_in_link()])
            return await render(request, page, status=403)
    redirect = Redirect(safe_next(next_path), status_code=303)
    redirect.cookies.append(
        session_cookie(settings, signed_in.token, max_age=settings.session_ttl_hours * 3600)
    )
    return redirect


@get(SLO_PATH, guards=[PUBLIC], include_in_schema=False)
async def saml_slo(request: Request[Any, Any, Any], db: DbDep, settings: SettingsDep) -> Response[Any]:
    """The provider's single logout (HTTP-Redirect): its signed LogoutRequest ends the sessions its session
    opened here; the browser goes back to the provider with our signed LogoutResponse."""
    providers = _providers(request, settings)
    query = request.query_params
    with speaking(request):
        try:
            answer_url = await provider_logout(
                providers,
                db,
                settings,
                query.get("SAMLRequest", ""),
                query.get("RelayState"),
                query.get("SigAlg"),
                query.get("Signature"),
            )
        except SsoRefused as exc:
            page = Page(heading=_("Single sign-on refused"), lead=exc.detail, links=[sign_in_link()])
            return await render(request, page, status=403)
        if answer_url is None:
            return await render(request, Page(heading=_("You are signed out"), links=[sign_in_link()]))
    redirect = Redirect(answer_url, status_code=303, headers={"Cache-Control": "no-store"})
    redirect.cookies.append(session_cookie(settings, "", max_age=0))
    return redirect


SAML_PAGES = [saml_metadata, saml_login, saml_acs, saml_slo]
