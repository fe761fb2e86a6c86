"""Server-rendered pages: sign-in, and the home page where a person opts in or out."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from advocacy.ambassadors import service as ambassadors
from advocacy.ambassadors.schemas import OptIn
from advocacy.auth import service as auth
from advocacy.auth.controllers import session_cookie
from advocacy.auth.schemas import Principal
from advocacy.charter.queries import active_charter
from advocacy.core.errors import Forbidden, TooManyRequests, Unauthenticated
from advocacy.core.i18n import lazy_gettext, negotiate, translate
from advocacy.http.deps import DbDep, LimiterDep, PrincipalDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.identity.errors import SecondFactorRequired
from advocacy.people.queries import person_by_id
from advocacy.web.identity import second_factor_step

WRONG_LOGIN = lazy_gettext("The e-mail or the password is wrong.")


class LoginForm(msgspec.Struct, frozen=True, kw_only=True):
    email: str = ""
    password: str = ""


class CsrfForm(msgspec.Struct, frozen=True, kw_only=True):
    csrf: str = ""
    charter_version: int = 0


def _language(request: Request[Any, Any, Any], settings: SettingsDep) -> str:
    user = request.scope.get("user")
    if user is not None:
        return str(user.language)
    return negotiate(request.headers.get("accept-language")) or settings.default_language


def _check_csrf(principal: PrincipalDep, given: str) -> None:
    """A cookie rides along with a forged cross-site form; a bearer token does not, so only sessions need it."""
    if principal.via != "session":
        return
    if not (principal.csrf_token and hmac.compare_digest(principal.csrf_token, given)):
        raise Forbidden(lazy_gettext("The form has expired: reload the page and try again"))


@get("/", guards=[PUBLIC], include_in_schema=False, name="home")
async def home(request: Request[Any, Any, Any], db: DbDep, settings: SettingsDep) -> Response[Any]:
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        return Redirect("/login")
    async with db.connection() as conn:
        person = await person_by_id(conn, principal.person_id)
        status = await ambassadors.status_of(conn, principal.person_id)
        charter = await active_charter(conn)
    language = principal.language
    return Template(
        "home.html",
        context={
            "language": language,
            "person": person,
            "status": status,
            "charter": charter,
            "charter_body": (charter.body_fr if language == "fr" else charter.body_en) if charter else "",
            "csrf": principal.csrf_token or "",
        },
    )


@get("/login", guards=[PUBLIC], include_in_schema=False)
async def login_page(request: Request[Any, Any, Any], settings: SettingsDep) -> Template:
    language = _language(request, settings)
    return Template("login.html", context={"language": language, "error": ""})


@post("/login", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def login_submit(
    request: Request[Any, Any, Any],
    data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    language = _language(request, settings)
    try:
        token, _, _ = await auth.login(
            db,
            limiter,
            email=data.email.strip(),
            password=data.password,
            client=client_address(request.scope),
            attempts_per_15min=settings.login_attempts_per_15min,
            session_hours=settings.session_ttl_hours,
        )
    except SecondFactorRequired as exc:
        return await second_factor_step(language, db, settings, exc)
    except (Unauthenticated, TooManyRequests) as exc:
        message = translate(WRONG_LOGIN if isinstance(exc, Unauthenticated) else exc.message, language)
        # Not 401: that status promises a WWW-Authenticate challenge (RFC 9110) and means "refused by a guard".
        return Template(
            "login.html",
            context={"language": language, "error": message},
            status_code=422 if isinstance(exc, Unauthenticated) else exc.status,
        )
    redirect = Redirect("/", status_code=303)
    redirect.cookies.append(session_cookie(settings, token, max_age=settings.session_ttl_hours * 3600))
    return redirect


@post("/logout", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def logout_submit(
    request: Request[Any, Any, Any],
    data: Annotated[CsrfForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Response[Any]:
    principal: Principal | None = request.scope.get("user")
    if principal is not None:
        _check_csrf(principal, data.csrf)
        session_token = request.scope.get("auth")
        if principal.via == "session" and isinstance(session_token, str):
            await auth.logout(db, request.app.state.principal_cache, session_token)
    redirect = Redirect("/login", status_code=303)
    redirect.cookies.append(session_cookie(settings, "", max_age=0))
    return redirect


@post("/ambassador", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def opt_in_submit(
    request: Request[Any, Any, Any],
    data: Annotated[CsrfForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Redirect:
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        return Redirect("/login", status_code=303)
    _check_csrf(principal, data.csrf)
    await ambassadors.opt_in(
        db,
        principal,
        OptIn(charter_version=data.charter_version),
        validity_days=settings.consent_validity_days,
    )
    request.app.state.principal_cache.forget_person(principal.person_id)
    return Redirect("/", status_code=303)


@post("/ambassador/opt-out", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def opt_out_submit(
    request: Request[Any, Any, Any],
    data: Annotated[CsrfForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
) -> Redirect:
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        return Redirect("/login", status_code=303)
    _check_csrf(principal, data.csrf)
    await ambassadors.opt_out(db, principal)
    request.app.state.principal_cache.forget_person(principal.person_id)
    return Redirect("/", status_code=303)


WEB_HANDLERS = [home, login_page, login_submit, logout_submit, opt_in_submit, opt_out_submit]
