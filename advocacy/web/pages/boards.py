"""Leaderboards: the week's, month's, quarter's or all-time board of the organisation, my team or a campaign,
my rank with my neighbours, and my visibility choice changed in place. The same services as
GET /api/v1/boards, /api/v1/boards/me and PATCH /api/v1/me/ambassador/visibility."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.response import Redirect, Response
from msgspec import Meta

from advocacy.ambassadors import service as ambassadors
from advocacy.ambassadors.schemas import VisibilityChange
from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.incentives.boards import service as boards
from advocacy.incentives.boards.schemas import Board, BoardSelector, MyRank, Period, Scope
from advocacy.web.forms import FormData, FormState, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import N_, translator
from advocacy.web.pages.start import VISIBILITIES
from advocacy.web.render import page, viewer_of
from content_library.campaigns import service as campaigns_service

TOP = 20
AROUND = 2
CAMPAIGN_CHOICES = 100
PERIODS: tuple[tuple[str, str], ...] = (
    ("week", N_("This week")),
    ("month", N_("This month")),
    ("quarter", N_("This quarter")),
    ("all", N_("All time")),
)
SCOPES: tuple[tuple[str, str], ...] = (
    ("org", N_("Organisation")),
    ("team", N_("My team")),
    ("campaign", N_("A campaign")),
)


class BoardQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The page's query string: the API's board selector (the current period, my team)."""

    period: Period = "month"
    scope: Scope = "org"
    campaign: Annotated[str, Meta(min_length=1, max_length=80)] | None = None


class BoardsPage(msgspec.Struct, frozen=True, kw_only=True):
    board: Board | None
    rank: MyRank | None
    periods: list[tuple[str, str]]
    scopes: list[tuple[str, str]]
    campaigns: list[tuple[str, str]]
    visibilities: list[tuple[str, str, str]]
    visibility: str
    saved: bool
    caption: str  # which board this is, in words


async def _page(
    request: Request[Any, Any, Any], given: FormData, form: FormState, saved: bool
) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    board: Board | None = None
    rank: MyRank | None = None
    try:
        query = parse_form(
            {k: v for k, v in given.values.items() if k in ("period", "scope", "campaign")}, BoardQuery
        )
        selector = BoardSelector(period=query.period, scope=query.scope, campaign=query.campaign)
        board = await boards.board_top(
            state.db, state.redis, state.settings.redis_namespace, principal.person_id, selector, limit=TOP,
            cache=getattr(state, "board_profiles", None),
        )  # fmt: skip
        rank = await boards.my_rank(
            state.db, state.redis, state.settings.redis_namespace, principal.person_id, selector,
            around=AROUND, cache=getattr(state, "board_profiles", None),
        )  # fmt: skip
    except (DomainError, msgspec.ValidationError) as exc:
        form = form_problem(
            exc, given, messages={"campaign": _("Choose a campaign from the list")}, otherwise="scope"
        )
    campaigns = [
        c for _, c in await campaigns_service.campaigns_page(state.db, after_id=None, limit=CAMPAIGN_CHOICES)
    ]
    status = viewer.ambassador
    period_label = dict(PERIODS).get(board.period if board else "month", "")
    scope_label = dict(SCOPES).get(board.scope if board else "org", "")
    caption = f"{_(scope_label)} — {_(period_label)}"
    if board is not None and board.campaign is not None:
        name = {c.slug: c.name for c in campaigns}.get(board.campaign.slug, board.campaign.slug)
        caption = f"{name} — {_(period_label)}"
    data = BoardsPage(
        board=board,
        rank=rank,
        periods=[(v, _(label)) for v, label in PERIODS],
        scopes=[(v, _(label)) for v, label in SCOPES],
        campaigns=[("", _("Choose a campaign")), *((c.slug, c.name) for c in campaigns)],
        visibilities=[(value, _(label), _(hint)) for value, label, hint in VISIBILITIES],
        visibility=status.visibility if status is not None and status.visibility else "",
        saved=saved,
        caption=caption,
    )
    return page(
        request, viewer, "employee/boards.html", title=_("Leaderboards"), data=data, form=form,
        status_code=form.status,
    )  # fmt: skip


@get("/leaderboards", guards=[ANY_PERSON], include_in_schema=False)
async def boards_page(request: Request[Any, Any, Any]) -> Response[Any]:
    given = FormData(
        values={k: v.strip() for k, v in request.query_params.items()},
        lists={k: request.query_params.getall(k) for k in request.query_params},
    )
    saved = given.values.pop("saved", "") == "1"
    return await _page(request, given, FormState(values=given.values), saved)


@post("/leaderboards/visibility", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def visibility_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        body = parse_form({"visibility": form.get("visibility")}, VisibilityChange)
        await ambassadors.change_visibility(state.db, principal, body)
    except (DomainError, msgspec.ValidationError) as exc:
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        problem = form_problem(
            exc, form, messages={"visibility": _("Choose how you appear on the leaderboards")},
            otherwise="visibility",
        )  # fmt: skip
        return await _page(request, FormData(values={}, lists={}), problem, saved=False)
    state.principal_cache.forget_person(principal.person_id)
    return Redirect("/leaderboards?saved=1", status_code=303)


BOARDS_PAGES = [boards_page, visibility_submit]
