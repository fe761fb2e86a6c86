"""Me: my profile (name, language, time zone), my ambassador status with opting out, the notifications I
received, everything the service holds and tracks about me (the privacy service's own inventory), my data
to download, and erasing my account after typing my e-mail address. The same services as /api/v1/me,
getMyRecognitionNotifications, getMyDataInventory, exportMyData and eraseMe."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from advocacy.auth.controllers import session_cookie
from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON, PUBLIC
from advocacy.incentives.badges import service as badges
from advocacy.incentives.badges.schemas import NotificationRead
from advocacy.people import service as people
from advocacy.people.schemas import ProfileUpdate
from advocacy.privacy import service as privacy
from advocacy.privacy.service import DataInventory
from advocacy.shares import preferences as sharing
from advocacy.shares.schemas import SharePreferences
from advocacy.web.forms import FormState, blank_form, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import LANGUAGE_NAMES, translator
from advocacy.web.render import page, viewer_of

NOTIFICATIONS_SHOWN = 10


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones a person can choose (regions only: no Etc/, no legacy aliases without a slash)."""
    return tuple(
        sorted(
            z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
        )
    )


class MePage(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    languages: list[tuple[str, str]]
    time_zones: list[tuple[str, str]]
    notifications: list[NotificationRead]
    mastodon_instance: str
    saved: str  # what was just saved: "profile", "sharing" or ""


class DataPage(msgspec.Struct, frozen=True, kw_only=True):
    inventory: DataInventory
    total: int


class ErasePage(msgspec.Struct, frozen=True, kw_only=True):
    email: str


async def _me_page(
    request: Request[Any, Any, Any], form: FormState | None, saved: str, sharing_form: FormState | None = None
) -> Template:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    mine = await sharing.preferences(request.app.state.db, principal)
    data = MePage(
        email=principal.email,
        languages=list(LANGUAGE_NAMES.items()),
        time_zones=[(z, z.replace("_", " ")) for z in time_zones()],
        notifications=await badges.notifications(
            request.app.state.db, principal.person_id, viewer.language, NOTIFICATIONS_SHOWN
        ),
        mastodon_instance=mine.mastodon_instance or "",
        saved=saved,
    )
    form = form or sharing_form or blank_form(
        display_name=viewer.display_name, language=viewer.language, timezone=viewer.timezone,
        mastodon_instance=data.mastodon_instance,
    )  # fmt: skip
    return page(
        request, viewer, "employee/me.html", title=_("Me"), data=data, form=form, status_code=form.status
    )


@get("/me", guards=[ANY_PERSON], include_in_schema=False)
async def me_page(request: Request[Any, Any, Any], saved: FromQuery[str | None] = None) -> Template:
    return await _me_page(request, None, saved if saved in ("profile", "sharing") else "")


@post("/me/profile", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def profile_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        given = {k: form.get(k).strip() for k in ("display_name", "language", "timezone")}
        if given["timezone"] and given["timezone"] not in time_zones():
            given["timezone"] = "?"  # refused by the body's own pattern, next to the field
        body = parse_form(given, ProfileUpdate)
        await people.update_person(state.db, principal.public_id, body, actor_id=principal.person_id)
    except (DomainError, msgspec.ValidationError) as exc:
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        messages = {
            "display_name": _("Enter your name, up to 120 characters"),
            "language": _("Choose French or English"),
            "timezone": _("Choose your time zone from the list"),
        }
        return await _me_page(request, form_problem(exc, form, messages=messages), saved="")
    state.principal_cache.forget_person(principal.person_id)
    return Redirect("/me?saved=profile", status_code=303)


@post("/me/sharing", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def sharing_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """My Mastodon server, for its share page (the same service as setMySharePreferences)."""
    principal = signed_in(request)
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        body = parse_form({"mastodon_instance": form.get("mastodon_instance").strip()}, SharePreferences)
        await sharing.set_preferences(request.app.state.db, principal, body)
    except (DomainError, msgspec.ValidationError) as exc:
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        messages = {"mastodon_instance": _("Enter only the server's name, like mastodon.social")}
        viewer_values = {
            "display_name": viewer.display_name,
            "language": viewer.language,
            "timezone": viewer.timezone,
        }
        problem = form_problem(exc, form, messages=messages, otherwise="mastodon_instance")
        kept = msgspec.structs.replace(problem, values={**viewer_values, **problem.values})
        return await _me_page(request, None, saved="", sharing_form=kept)
    return Redirect("/me?saved=sharing", status_code=303)


@get("/me/data", guards=[ANY_PERSON], include_in_schema=False)
async def data_page(request: Request[Any, Any, Any]) -> Template:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    found = await privacy.inventory(request.app.state.db, principal.person_id)
    data = DataPage(inventory=found, total=sum(k.rows for k in found.kinds))
    return page(request, viewer, "employee/my_data.html", title=_("What we hold about you"), data=data)


@get("/me/data/export", guards=[ANY_PERSON], include_in_schema=False)
async def data_export(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The privacy export as a file to keep (the same JSON as GET /api/v1/me/export)."""
    principal = signed_in(request)
    export = await privacy.export_person(request.app.state.db, principal.person_id)
    name = f"advocacy-my-data-{export.generated_at:%Y-%m-%d}.json"
    return Response(
        msgspec.json.format(msgspec.json.encode(export)),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _erase_page(request: Request[Any, Any, Any], viewer: Any, form: FormState) -> Template:
    _ = translator(viewer.language)
    data = ErasePage(email=signed_in(request).email)
    return page(
        request, viewer, "employee/erase.html", title=_("Erase my account"), data=data, form=form,
        status_code=form.status,
    )  # fmt: skip


@get("/me/erase", guards=[ANY_PERSON], include_in_schema=False)
async def erase_page(request: Request[Any, Any, Any]) -> Template:
    return _erase_page(request, await viewer_of(request), blank_form())


@post("/me/erase", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def erase_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """Erasure cannot be undone: it happens only when the person typed their own e-mail address."""
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    if form.get("confirm_email").strip().casefold() != principal.email.casefold():
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        problem = FormState(
            values=form.values,
            errors={"confirm_email": _("Type your e-mail address exactly as shown to erase your account")},
            status=422,
        )
        return _erase_page(request, viewer, problem)
    await privacy.erase_person(state.db, principal.person_id, actor_id=principal.person_id)
    state.principal_cache.forget_person(principal.person_id)
    redirect = Redirect("/account-erased", status_code=303)
    redirect.cookies.append(session_cookie(state.settings, "", max_age=0))
    return redirect


@get("/account-erased", guards=[PUBLIC], include_in_schema=False)
async def erased_page(request: Request[Any, Any, Any]) -> Template:
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    return page(request, viewer, "account/erased.html", title=_("Your account is erased"))


ME_PAGES = [
    me_page,
    profile_submit,
    sharing_submit,
    data_page,
    data_export,
    erase_page,
    erase_submit,
    erased_page,
]
