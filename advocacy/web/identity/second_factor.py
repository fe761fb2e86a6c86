"""A signed-in person's second factor: see whether it is on, set it up (key, then a code), turn it off."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from advocacy.auth.schemas import Principal
from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from advocacy.core.i18n import _
from advocacy.http.deps import DbDep, LimiterDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.identity import second_factor
from advocacy.identity.schemas import SecondFactorOff
from advocacy.web.identity.page import (
    Form,
    Page,
    code_field,
    current_password_field,
    enrolment_page,
    field_errors,
    form_sender,
    home_link,
    recovery_codes_page,
    render,
    session_principal,
    session_token,
    speaking,
)

SECOND_FACTOR_PATH = "/account/second-factor"


class SecondFactorForm(msgspec.Struct, frozen=True, kw_only=True):
    csrf: str = ""
    code: str = ""
    current_password: str = ""


def confirm_form(csrf: str) -> Form:
    return Form(
        action=f"{SECOND_FACTOR_PATH}/confirm",
        submit=_("Turn on"),
        hidden={"csrf": csrf},
        fields=[code_field(hint=False)],
    )


def turn_off_form(csrf: str) -> Form:
    return Form(
        action=f"{SECOND_FACTOR_PATH}/disable",
        submit=_("Turn off"),
        hidden={"csrf": csrf},
        fields=[current_password_field(), code_field(hint=True)],
    )


async def home(db: DbDep, principal: Principal, errors: dict[str, str] | None = None) -> Page:
    """The second factor's state, with the form that changes it."""
    state = await second_factor.status(db, principal)
    csrf = principal.csrf_token or ""
    if state.enabled:
        return Page(
            heading=_("Second factor"),
            lead=_("Your second factor is on: signing in asks for a code from your authenticator app."),
            form=None if state.required else turn_off_form(csrf),
            errors=errors or {},
        )
    return Page(
        heading=_("Second factor"),
        lead=_("Signing in can also ask for a code from an authenticator app on your phone."),
        form=Form(action=f"{SECOND_FACTOR_PATH}/start", submit=_("Set up"), hidden={"csrf": csrf}, fields=[]),
        errors=errors or {},
    )


async def sender(request: Request[Any, Any, Any], db: DbDep, csrf: str) -> Principal | Response[Any]:
    """The form's signed-in sender, or the answer (an expired form shows the second factor's home again)."""

    async def again(principal: Principal) -> Page:
        return await home(db, principal)

    return await form_sender(request, csrf, again)


@get(SECOND_FACTOR_PATH, guards=[PUBLIC], include_in_schema=False)
async def second_factor_account_page(request: Request[Any, Any, Any], db: DbDep) -> Response[Any]:
    principal = session_principal(request)
    if principal is None:
        return Redirect(f"/login?next={SECOND_FACTOR_PATH}", status_code=303)
    with speaking(request):
        return await render(request, await home(db, principal))


@post(f"{SECOND_FACTOR_PATH}/start", guards=[PUBLIC], include_in_schema=False)
async def second_factor_start(
    request: Request[Any, Any, Any],
    data: Annotated[SecondFactorForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Response[Any]:
    with speaking(request):
        principal = await sender(request, db, data.csrf)
        if not isinstance(principal, Principal):
            return principal
        try:
            enrolment = await second_factor.begin_enrolment(db, settings, principal)
        except Conflict as exc:
            return await render(request, await home(db, principal, {"": exc.detail}), status=409)
        return await render(request, enrolment_page(enrolment, form=confirm_form(principal.csrf_token or "")))


@post(f"{SECOND_FACTOR_PATH}/confirm", guards=[PUBLIC], include_in_schema=False)
async def second_factor_confirm(
    request: Request[Any, Any, Any],
    data: Annotated[SecondFactorForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    with speaking(request):
        principal = await sender(request, db, data.csrf)
        if not isinstance(principal, Principal):
            return principal
        try:
            codes = await second_factor.confirm_enrolment(
                db,
                limiter,
                request.app.state.principal_cache,
                settings,
                principal,
                data.code or "-",
                session_token=session_token(request),
            )
        except (Invalid, Conflict, TooManyRequests) as exc:
            errors = field_errors(exc) if isinstance(exc, Invalid) else {"code": exc.detail}
            page = Page(
                heading=_("Set up your second factor"),
                form=confirm_form(principal.csrf_token or ""),
                errors=errors,
            )
            return await render(request, page, status=exc.status)
        return await render(request, recovery_codes_page(codes.codes))


@post(f"{SECOND_FACTOR_PATH}/disable", guards=[PUBLIC], include_in_schema=False)
async def second_factor_disable(
    request: Request[Any, Any, Any],
    data: Annotated[SecondFactorForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    with speaking(request):
        principal = await sender(request, db, data.csrf)
        if not isinstance(principal, Principal):
            return principal
        try:
            await second_factor.turn_off(
                db,
                limiter,
                request.app.state.principal_cache,
                settings,
                principal,
                SecondFactorOff(current_password=data.current_password or "-", code=data.code or "------"),
                session_token=session_token(request),
            )
        except (Invalid, Forbidden, NotFound, TooManyRequests) as exc:
            errors = field_errors(exc) if isinstance(exc, Invalid) else {"": exc.detail}
            return await render(request, await home(db, principal, errors), status=exc.status)
        return await render(
            request,
            Page(
                heading=_("Second factor"),
                lead=_("Your second factor is off. Your other sessions were ended."),
                links=[home_link()],
            ),
        )


SECOND_FACTOR_PAGES = [
    second_factor_account_page,
    second_factor_start,
    second_factor_confirm,
    second_factor_disable,
]
