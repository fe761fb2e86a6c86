"""Suggest a post (a link, a note, an image if I have one) and my suggestions with what became of them. The
same services as suggestContent, suggestContentWithImage and listMySuggestions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery
from litestar.response import Redirect, Response

from advocacy.content.suggestions.service import suggest_post
from advocacy.content.uploads import check_declared_length
from advocacy.content.wiring import UPLOAD_CEILING
from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.web.forms import FormData, FormState, check_csrf, form_problem, parse_form
from advocacy.web.i18n import N_, translator
from advocacy.web.render import page, viewer_of
from content_library.suggestions import service as suggestions
from content_library.suggestions.schemas import SuggestionCreate, SuggestionRead

SHOWN = 50
CHUNK = 64 * 1024
OUTCOMES: dict[str, tuple[str, str]] = {  # status → (label, the tag's colour)
    "pending": (N_("Waiting for the comms team"), ""),
    "accepted": (N_("Accepted: it becomes a post"), "success"),
    "declined": (N_("Declined"), "error"),
}


class SuggestionLine(msgspec.Struct, frozen=True, kw_only=True):
    suggestion: SuggestionRead
    outcome: str
    kind: str


class SuggestionsPage(msgspec.Struct, frozen=True, kw_only=True):
    can_suggest: bool
    mine: list[SuggestionLine]
    done: bool


async def _page(request: Request[Any, Any, Any], form: FormState | None, done: bool) -> Response[Any]:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    rows = await suggestions.suggestions_page(
        request.app.state.db, person_id=principal.person_id, status=None, after_id=None, limit=SHOWN
    )
    mine = [
        SuggestionLine(suggestion=s, outcome=_(OUTCOMES[s.status][0]), kind=OUTCOMES[s.status][1])
        for _id, s in rows
    ]
    status = viewer.ambassador
    data = SuggestionsPage(can_suggest=bool(status and status.is_ambassador), mine=mine, done=done)
    return page(
        request, viewer, "employee/suggestions.html", title=_("Suggest a post"), data=data, form=form,
        status_code=form.status if form else 200,
    )  # fmt: skip


@get("/suggestions", guards=[ANY_PERSON], include_in_schema=False)
async def suggestions_page(
    request: Request[Any, Any, Any], done: FromQuery[str | None] = None
) -> Response[Any]:
    return await _page(request, None, done == "sent")


async def _read_multipart(request: Request[Any, Any, Any]) -> tuple[FormData, UploadFile | None]:
    """The posted fields, and the image when one was chosen (a file input left empty sends no name)."""
    values: dict[str, str] = {}
    upload: UploadFile | None = None
    for key, value in (await request.form()).multi_items():
        if isinstance(value, str):
            values[key] = value
        elif key == "image" and isinstance(value, UploadFile) and value.filename:
            upload = value
    return FormData(values=values, lists={k: [v] for k, v in values.items()}), upload


def _chunks(upload: UploadFile) -> Callable[[], AsyncIterator[bytes]]:
    async def read() -> AsyncIterator[bytes]:
        while chunk := await upload.read(CHUNK):
            yield chunk

    return read


@post(
    "/suggestions", guards=[ANY_PERSON], include_in_schema=False, status_code=303,
    request_max_body_size=UPLOAD_CEILING,
)  # fmt: skip
async def suggest_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    check_declared_length(request, state.settings.max_upload_bytes)
    form, upload = await _read_multipart(request)
    check_csrf(principal, form)
    try:
        body = parse_form(
            {"link": form.get("link").strip(), "note": form.get("note").strip()}, SuggestionCreate
        )
        await suggest_post(
            state.db, principal.person_id, body.link, body.note,
            image=_chunks(upload) if upload is not None else None, storage=state.storage, settings=state.settings,
        )  # fmt: skip
    except (DomainError, msgspec.ValidationError) as exc:
        extra = exc.extra if isinstance(exc, DomainError) else {}
        field = extra.get("field") or ("image" if "reason" in extra else None)
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        messages = {} if isinstance(exc, DomainError) else {
            "link": _("Enter the address of the page, starting with https://"),
            "note": _("Keep the note under 2,000 characters"),
        }  # fmt: skip
        return await _page(request, form_problem(exc, form, messages=messages, otherwise=field), done=False)
    finally:
        if upload is not None:
            await upload.close()
    return Redirect("/suggestions?done=sent", status_code=303)


SUGGESTIONS_PAGES = [suggestions_page, suggest_submit]
