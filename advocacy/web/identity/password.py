"""Password pages: forgot it (a reset link by e-mail), reset it from that link, change it when signed in."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from advocacy.auth.schemas import Principal
from advocacy.core.errors import Invalid, NotFound, TooManyRequests
from advocacy.core.i18n import _
from advocacy.http.deps import DbDep, LimiterDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.identity import service
from advocacy.identity.errors import LinkGone
from advocacy.identity.schemas import ChangePassword
from advocacy.web.identity.invitation import TokenForm
from advocacy.web.identity.page import (
    Field,
    Form,
    Link,
    Page,
    current_password_field,
    field_errors,
    form_sender,
    gone_page,
    home_link,
    new_password_field,
    render,
    session_token,
    sign_in_link,
    speaking,
)


class EmailForm(msgspec.Struct, frozen=True, kw_only=True):
    email: str = ""


class ChangeForm(msgspec.Struct, frozen=True, kw_only=True):
    csrf: str = ""
    current_password: str = ""
    new_password: str = ""


# ---- forgot and reset ----

FORGOT_LINK = "/password/forgot"


def forgot(email: str = "", errors: dict[str, str] | None = None, *, lead: str = "") -> Page:
    return Page(
        heading=_("Forgot your password?"),
        lead=lead,
        form=Form(
            action=FORGOT_LINK,
            submit=_("Send me a reset link"),
            fields=[
                Field(
                    name="email", label=_("E-mail address"), type="email", autocomplete="email", value=email
                )
            ],
        ),
        errors=errors or {},
    )


@get(FORGOT_LINK, guards=[PUBLIC], include_in_schema=False)
async def forgot_page(request: Request[Any, Any, Any]) -> Template:
    with speaking(request):
        lead = _("Give the e-mail address you sign in with: we send a link to choose a new password.")
        return await render(request, forgot(lead=lead))


@post(FORGOT_LINK, guards=[PUBLIC], include_in_schema=False)
async def forgot_submit(
    request: Request[Any, Any, Any],
    data: Annotated[EmailForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Template:
    with speaking(request):
        email = data.email.strip()
        if "@" not in email or len(email) > 254:
            errors = {"email": _("Enter an e-mail address, like name@example.com")}
            return await render(request, forgot(email, errors), status=422)
        try:
            await service.forgot_password(
                db, limiter, settings, email=email, client=client_address(request.scope)
            )
        except TooManyRequests as exc:
            errors = {"email": _("Too many requests: wait a while before asking again.")}
            response = await render(request, forgot(email, errors), status=429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return await render(
            request,
            Page(
                heading=_("Check your e-mail"),
                lead=_(
                    "If %(email)s belongs to an account, a link to choose a new password is on its way. It works"
                    " once, for a short while.",
                    email=email,
                ),
                links=[sign_in_link()],
            ),
        )


def reset(token: str, errors: dict[str, str] | None = None) -> Page:
    return Page(
        heading=_("Choose a new password"),
        form=Form(
            action="/password/reset",
            submit=_("Save my new password"),
            hidden={"token": token},
            fields=[new_password_field()],
        ),
        errors=errors or {},
    )


async def reset_link_gone(request: Request[Any, Any, Any], exc: NotFound | LinkGone) -> Template:
    retry = Link(href=FORGOT_LINK, text=_("Ask for a new link"))
    return await gone_page(request, exc, _("This reset link does not work"), retry=retry)


@get("/password/reset", guards=[PUBLIC], include_in_schema=False)
async def reset_page(request: Request[Any, Any, Any], db: DbDep, token: FromQuery[str] = "") -> Template:
    with speaking(request):
        try:
            await service.check_reset_link(db, token)
        except (NotFound, LinkGone) as exc:
            return await reset_link_gone(request, exc)
        return await render(request, reset(token))


@post("/password/reset", guards=[PUBLIC], include_in_schema=False)
async def reset_submit(
    request: Request[Any, Any, Any],
    data: Annotated[TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Template:
    with speaking(request):
        try:
            await service.reset_password(
                db, request.app.state.principal_cache, settings, data.token, data.password
            )
        except (NotFound, LinkGone) as exc:
            return await reset_link_gone(request, exc)
        except Invalid as exc:
            return await render(request, reset(data.token, field_errors(exc)), status=422)
        return await render(
            request,
            Page(
                heading=_("Your password is changed"),
                lead=_("You were signed out everywhere. Sign in with your new password."),
                links=[sign_in_link()],
            ),
        )


# ---- change (signed in) ----


def change(principal: Principal, errors: dict[str, str] | None = None, *, lead: str = "") -> Page:
    return Page(
        heading=_("Change your password"),
        lead=lead,
        form=Form(
            action="/account/password",
            submit=_("Change my password"),
            hidden={"csrf": principal.csrf_token or ""},
            fields=[current_password_field(), new_password_field("new_password")],
        ),
        errors=errors or {},
    )


async def change_again(principal: Principal) -> Page:
    return change(principal)


@get("/account/password", guards=[PUBLIC], include_in_schema=False)
async def change_page(request: Request[Any, Any, Any]) -> Response[Any]:
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        return Redirect("/login?next=/account/password", status_code=303)
    with speaking(request):
        lead = _("Your other sessions end when you change it; this one stays.")
        return await render(request, change(principal, lead=lead))


@post("/account/password", guards=[PUBLIC], include_in_schema=False)
async def change_submit(
    request: Request[Any, Any, Any],
    data: Annotated[ChangeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    with speaking(request):
        principal = await form_sender(request, data.csrf, change_again)
        if not isinstance(principal, Principal):
            return principal
        try:
            await service.change_password(
                db,
                request.app.state.principal_cache,
                limiter,
                settings,
                principal,
                ChangePassword(current_password=data.current_password or "-", new_password=data.new_password),
                session_token=session_token(request),
            )
        except (Invalid, TooManyRequests) as exc:
            errors = field_errors(exc) if isinstance(exc, Invalid) else {"current_password": exc.detail}
            return await render(request, change(principal, errors), status=exc.status)
        return await render(
            request,
            Page(
                heading=_("Your password is changed"),
                lead=_("Your other sessions were ended."),
                links=[home_link()],
            ),
        )


PASSWORD_PAGES = [forgot_page, forgot_submit, reset_page, reset_submit, change_page, change_submit]
