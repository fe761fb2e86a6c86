"""My shares: each share's status (with the reason of a rejection), its clicks and estimated reach, and
withdrawing one. The same services as GET /api/v1/shares, /api/v1/analytics/me/shares and withdrawShare."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response

from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.http.pagination import page_by_id
from advocacy.reach import service as reach
from advocacy.shares import reading
from advocacy.shares import service as shares
from advocacy.shares.schemas import ShareRead, Withdrawal
from advocacy.web.forms import FormData, FormState, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import N_, translator
from advocacy.web.pages.feed import NETWORK_NAMES
from advocacy.web.render import page, viewer_of

PAGE_SIZE = 20
# The analytics API answers for at most two years; a share's figures older than that are not shown.
FIGURES_WINDOW = timedelta(days=730)
WITHDRAWABLE = ("held", "ready", "scheduled", "published")
STATUS_LABELS: dict[str, str] = {
    "refused": N_("Refused by the charter"),
    "held": N_("Waiting for compliance"),
    "ready": N_("Approved, ready to post"),
    "scheduled": N_("Scheduled"),
    "published": N_("Published"),
    "withdrawn": N_("Withdrawn"),
    "rejected": N_("Rejected"),
    "failed": N_("Failed to publish"),
}
STATUS_KINDS: dict[str, str] = {
    "published": "success",
    "ready": "success",
    "rejected": "error",
    "failed": "error",
}


class ShareLine(msgspec.Struct, frozen=True, kw_only=True):
    share: ShareRead
    title: str
    network: str
    status: str  # translated
    kind: str  # the tag's colour: "", "success" or "error"
    clicks: int
    reach_estimated: int
    withdrawable: bool


class SharesPage(msgspec.Struct, frozen=True, kw_only=True):
    lines: list[ShareLine]
    next_href: str | None
    first_href: str | None
    done: str  # a notice after an action, already translated


@get("/shares", guards=[ANY_PERSON], include_in_schema=False)
async def shares_page(
    request: Request[Any, Any, Any], cursor: FromQuery[str | None] = None, done: FromQuery[str | None] = None
) -> Response[Any]:
    return await _page(request, cursor=cursor, done=done)


async def _page(
    request: Request[Any, Any, Any], *, cursor: str | None, done: str | None, form: FormState | None = None
) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    problem = form

    async def rows(after_id: int | None, limit: int) -> list[tuple[int, ShareRead]]:
        return await reading.my_shares(
            state.db, principal, status=None, after_id=after_id, limit=limit,
            public_base_url=state.settings.public_base_url,
        )  # fmt: skip

    try:
        found = await page_by_id(cursor, PAGE_SIZE, rows)
    except DomainError as exc:  # a cursor not ours: the problem said, the first page shown
        problem = form_problem(exc, FormData(values={}, lists={}))
        found = await page_by_id(None, PAGE_SIZE, rows)
    until = datetime.now(UTC)
    groups = await reach.grouped(
        state.db, principal, "share", until - FIGURES_WINDOW, until, only_person=principal.person_id
    )
    figures = {g.key: g.networks for g in groups}
    lines = []
    for share in found.items:
        nets = figures.get(str(share.id), [])
        lines.append(
            ShareLine(
                share=share,
                title=share.item_title or share.badge_name or _("Badge card"),
                network=NETWORK_NAMES.get(share.network, share.network),
                status=_(STATUS_LABELS.get(share.status, share.status)),
                kind=STATUS_KINDS.get(share.status, ""),
                clicks=sum(f.unique_clicks for f in nets),
                reach_estimated=sum(f.reach_estimated.value for f in nets),
                withdrawable=share.status in WITHDRAWABLE,
            )
        )
    notices = {"withdrawn": _("The share is withdrawn. Points it earned are taken back.")}
    data = SharesPage(
        lines=lines,
        next_href="/shares?" + urlencode({"cursor": found.next_cursor}) if found.next_cursor else None,
        first_href="/shares" if cursor else None,
        done=notices.get(done or "", ""),
    )
    return page(
        request, viewer, "employee/shares.html", title=_("My shares"), data=data, form=problem,
        status_code=problem.status if problem else 200,
    )  # fmt: skip


@post("/shares/{share_id:uuid}/withdraw", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def withdraw_submit(request: Request[Any, Any, Any], share_id: FromPath[UUID]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        body = parse_form({"reason": form.get("reason").strip()}, Withdrawal)
        await shares.withdraw(
            state.db, principal, share_id, body, public_base_url=state.settings.public_base_url
        )
    except (DomainError, msgspec.ValidationError) as exc:
        return await _page(request, cursor=None, done=None, form=form_problem(exc, form))
    return Redirect("/shares?done=withdrawn", status_code=303)


SHARES_PAGES = [shares_page, withdraw_submit]
