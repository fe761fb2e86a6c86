"""The invitation page: a newcomer sets the password they will sign in with."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from advocacy.core.errors import Invalid, NotFound
from advocacy.core.i18n import _
from advocacy.http.deps import DbDep
from advocacy.http.guards import PUBLIC
from advocacy.identity import service
from advocacy.identity.errors import LinkGone
from advocacy.web.identity.page import (
    Form,
    Page,
    field_errors,
    gone_page,
    new_password_field,
    render,
    sign_in_link,
    speaking,
)


class TokenForm(msgspec.Struct, frozen=True, kw_only=True):
    token: str = ""
    password: str = ""


async def invitation(db: DbDep, token: str, errors: dict[str, str] | None = None) -> Page:
    preview = await service.preview_invitation(db, token)
    return Page(
        heading=_("Welcome, %(name)s", name=preview.display_name),
        lead=_("Choose the password you will sign in with, as %(email)s.", email=preview.email),
        form=Form(
            action="/invitation",
            submit=_("Set my password"),
            hidden={"token": token},
            fields=[new_password_field()],
        ),
        errors=errors or {},
    )


async def link_gone(request: Request[Any, Any, Any], exc: NotFound | LinkGone) -> Template:
    return await gone_page(request, exc, _("This invitation link does not work"), retry=sign_in_link())


@get("/invitation", guards=[PUBLIC], include_in_schema=False)
async def invitation_page(request: Request[Any, Any, Any], db: DbDep, token: FromQuery[str] = "") -> Template:
    with speaking(request):
        try:
            page = await invitation(db, token)
        except (NotFound, LinkGone) as exc:
            return await link_gone(request, exc)
        return await render(request, page)


@post("/invitation", guards=[PUBLIC], include_in_schema=False)
async def invitation_submit(
    request: Request[Any, Any, Any],
    data: Annotated[TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
) -> Template:
    with speaking(request):
        try:
            await service.accept_invitation(db, request.app.state.principal_cache, data.token, data.password)
        except (NotFound, LinkGone) as exc:
            return await link_gone(request, exc)
        except Invalid as exc:
            return await render(request, await invitation(db, data.token, field_errors(exc)), status=422)
        return await render(
            request,
            Page(heading=_("Your password is set"), lead=_("Sign in with it now."), links=[sign_in_link()]),
        )


INVITATION_PAGES = [invitation_page, invitation_submit]
