"""The second step of signing in: the code from an authenticator app (or setting one up, if the role needs it)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from advocacy.auth.controllers import session_cookie
from advocacy.core.errors import Conflict, Invalid, Unauthenticated
from advocacy.core.i18n import _, use_language
from advocacy.http.deps import DbDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.identity import second_factor
from advocacy.identity.errors import SecondFactorRequired
from advocacy.web.identity.page import (
    Form,
    Page,
    code_field,
    enrolment_page,
    field_errors,
    recovery_codes_page,
    render,
    sign_in_link,
    speaking,
)


class CodeForm(msgspec.Struct, frozen=True, kw_only=True):
    challenge: str = ""
    code: str = ""


def code_form(challenge: str) -> Form:
    return Form(
        action="/login/second-factor",
        submit=_("Sign in"),
        hidden={"challenge": challenge},
        fields=[code_field(hint=True)],
    )


async def second_factor_page(db: DbDep, settings: SettingsDep, challenge: str, *, enrol: bool) -> Page:
    if not enrol:
        return Page(heading=_("Second factor"), form=code_form(challenge))
    enrolment = await second_factor.enrol_at_sign_in(db, settings, challenge)
    return enrolment_page(enrolment, form=code_form(challenge), required=True)


async def second_factor_step(
    request: Request[Any, Any, Any],
    language: str,
    db: DbDep,
    settings: SettingsDep,
    exc: SecondFactorRequired,
) -> Template:
    """What the login form shows once the password was right and a code is still needed."""
    with use_language(language):
        page = await second_factor_page(
            db, settings, str(exc.extra["challenge"]), enrol=bool(exc.extra.get("enrolment_required"))
        )
        return await render(request, page, status=200)


@post("/login/second-factor", guards=[PUBLIC], include_in_schema=False)
async def second_factor_submit(
    request: Request[Any, Any, Any],
    data: Annotated[CodeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Response[Any]:
    with speaking(request):
        try:
            done = await second_factor.complete_sign_in(db, settings, data.challenge, data.code or "-")
        except Unauthenticated as exc:
            # Not 401 (that promises a WWW-Authenticate challenge): the form's sign-in has run out
            return await render(
                request, Page(heading=_("Sign in again"), lead=exc.detail, links=[sign_in_link()]), status=422
            )
        except (Invalid, Conflict) as exc:
            page = Page(heading=_("Second factor"), form=code_form(data.challenge), errors=field_errors(exc))
            return await render(request, page, status=exc.status)
        cookie = session_cookie(settings, done.session.token, max_age=settings.session_ttl_hours * 3600)
        if done.recovery_codes:
            response = await render(request, recovery_codes_page(done.recovery_codes))
            response.cookies.append(cookie)
            return response
        redirect = Redirect("/", status_code=303)
        redirect.cookies.append(cookie)
        return redirect


SIGN_IN_PAGES = [second_factor_submit]
