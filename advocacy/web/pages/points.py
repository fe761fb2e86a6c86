"""My points: the balance, how each network earns points (campaign multipliers and the daily cap explained),
the history with each reason, and my badges with their cards. The same services as GET /api/v1/me/points,
/api/v1/me/points/history and /api/v1/me/badges."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Response

from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.http.pagination import page_by_id
from advocacy.incentives.badges import service as badges
from advocacy.incentives.badges.schemas import BadgeRead
from advocacy.incentives.ledger import service as ledger
from advocacy.incentives.ledger.schemas import HistoryEntry, PointsSummary
from advocacy.web.forms import FormData, FormState, form_problem
from advocacy.web.i18n import translator
from advocacy.web.pages.feed import NETWORK_NAMES
from advocacy.web.render import page, viewer_of

PAGE_SIZE = 25


class PointsPage(msgspec.Struct, frozen=True, kw_only=True):
    summary: PointsSummary
    history: list[HistoryEntry]
    badges: list[BadgeRead]
    network_names: dict[str, str]
    next_href: str | None
    first_href: str | None


@get("/points", guards=[ANY_PERSON], include_in_schema=False)
async def points_page(request: Request[Any, Any, Any], cursor: FromQuery[str | None] = None) -> Response[Any]:
    principal = signed_in(request)
    db = request.app.state.db
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    problem: FormState | None = None
    summary = await ledger.summary(db, principal.person_id, viewer.language)

    async def rows(before_id: int | None, limit: int) -> list[tuple[int, HistoryEntry]]:
        return await ledger.history(
            db, principal.person_id, viewer.language, before_id=before_id, limit=limit
        )

    try:
        found = await page_by_id(cursor, PAGE_SIZE, rows)
        history, next_cursor = found.items, found.next_cursor
    except DomainError as exc:
        problem = form_problem(exc, FormData(values={}, lists={}))
        history, next_cursor = [], None
    data = PointsPage(
        summary=summary,
        history=history,
        badges=await badges.my_badges(db, principal.person_id, viewer.language),
        network_names=NETWORK_NAMES,
        next_href=f"/points?cursor={next_cursor}" if next_cursor else None,
        first_href="/points" if cursor else None,
    )
    return page(
        request, viewer, "employee/points.html", title=_("My points"), data=data, form=problem,
        status_code=problem.status if problem else 200,
    )  # fmt: skip


POINTS_PAGES = [points_page]
