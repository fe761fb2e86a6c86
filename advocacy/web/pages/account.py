"""Signing in and out, and the language switch every page carries."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response, Template

from advocacy.auth import service as auth
from advocacy.auth.controllers import session_cookie
from advocacy.auth.schemas import LoginBody, Principal
from advocacy.auth.throttle import login_throttle
from advocacy.core.errors import DomainError, Invalid, Unauthenticated
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.identity.errors import SecondFactorRequired
from advocacy.people import service as people
from advocacy.people.schemas import ProfileUpdate
from advocacy.web.forms import FormState, blank_form, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import LANGUAGE_COOKIE, as_language, translator
from advocacy.web.identity import second_factor_step
from advocacy.web.render import page, safe_next, viewer_of
from advocacy.web.saml import saml_sign_in_label
from advocacy.web.sso import provider_logout_url, sign_in_links


def login_form_page(request: Request[Any, Any, Any], viewer: Any, form: FormState) -> Template:
    """The sign-in page: the password form and a "Sign in with …" link per single sign-on configured."""
    _ = translator(viewer.language)
    next_url = safe_next(form.value("next") or request.query_params.get("next"))
    return page(
        request,
        viewer,
        "account/login.html",
        title=_("Sign in"),
        form=form,
        data={
            "next": next_url,
            "sso": sign_in_links(request.app.state.settings, viewer.language, next_url),
            "saml_label": saml_sign_in_label(request.app.state.settings),
        },
        status_code=form.status,
    )


@get("/login", guards=[PUBLIC], include_in_schema=False, name="login")
async def login_page(request: Request[Any, Any, Any]) -> Response[Any]:
    viewer = await viewer_of(request)
    if viewer.signed_in:
        return Redirect(safe_next(request.query_params.get("next")), status_code=303)
    return login_form_page(request, viewer, blank_form())


@post("/login", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def login_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    state = request.app.state
    settings = state.settings
    form = await read_form(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    try:
        body = parse_form({"email": form.get("email").strip(), "password": form.get("password")}, LoginBody)
        token, _principal, _expiry = await auth.login(
            state.db,
            login_throttle(state),
            email=body.email,
            password=body.password,
            client=client_address(request.scope),
            session_hours=settings.session_ttl_hours,
        )
    except SecondFactorRequired as exc:
        return await second_factor_step(request, viewer.language, state.db, settings, exc)
    except (DomainError, msgspec.ValidationError) as exc:
        problem = form_problem(
            exc,
            form,
            messages={
                "email": _("Enter your e-mail address, like name@example.com")
                if not isinstance(exc, Unauthenticated)
                else _("The e-mail or the password is wrong"),
                "password": _("Enter your password"),
            },
            otherwise="email" if isinstance(exc, Unauthenticated) else None,
        )
        # Not 401: that status promises a WWW-Authenticate challenge (RFC 9110).
        if problem.status == 401:
            problem = msgspec.structs.replace(problem, status=422)
        return login_form_page(request, viewer, problem)
    redirect = Redirect(safe_next(form.get("next")), status_code=303)
    redirect.cookies.append(session_cookie(settings, token, max_age=settings.session_ttl_hours * 3600))
    return redirect


@post("/logout", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def logout_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    principal: Principal | None = request.scope.get("user")
    provider_logout: str | None = None  # the OpenID provider's own sign-out, when it opened this session
    if principal is not None:
        check_csrf(principal, await read_form(request))
        session_token = request.scope.get("auth")
        if principal.via == "session" and isinstance(session_token, str):
            provider_logout = await provider_logout_url(request.app.state, session_token)
            await auth.logout(request.app.state.db, request.app.state.principal_cache, session_token)
    redirect = Redirect(provider_logout or "/login", status_code=303)
    redirect.cookies.append(session_cookie(request.app.state.settings, "", max_age=0))
    return redirect


@post("/language", guards=[PUBLIC], include_in_schema=False, status_code=303)
async def switch_language(request: Request[Any, Any, Any]) -> Response[Any]:
    """A signed-in person's language is their profile's (the same change as PATCH /api/v1/me); a visitor's
    is kept in a cookie."""
    state = request.app.state
    form = await read_form(request)
    language = as_language(form.get("language"))
    if language is None:
        raise Invalid("Choose fr or en", extra={"errors": [{"field": "language", "message": "fr or en"}]})
    principal: Principal | None = request.scope.get("user")
    redirect = Redirect(safe_next(form.get("next")), status_code=303)
    if principal is None:
        redirect.cookies.append(
            Cookie(key=LANGUAGE_COOKIE, value=language, max_age=365 * 86400, samesite="lax", path="/")
        )
        return redirect
    check_csrf(principal, form)
    await people.update_person(
        state.db, principal.public_id, ProfileUpdate(language=language), actor_id=principal.person_id
    )
    state.principal_cache.forget_person(principal.person_id)
    return redirect


ACCOUNT_PAGES = [login_page, login_submit, logout_submit, switch_language]
