"""Rewards: the catalogue I can redeem from now, redeeming one (its cost reserved from my balance), and my
redemptions with their state. The same services as GET /api/v1/rewards, redeemReward and
GET /api/v1/me/redemptions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response

from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.incentives.ledger import service as ledger
from advocacy.incentives.rewards import service as rewards
from advocacy.incentives.rewards.schemas import RedemptionRead, RewardRead
from advocacy.web.forms import FormState, check_csrf, form_problem, read_form
from advocacy.web.i18n import N_, translator
from advocacy.web.render import page, viewer_of

SHOWN = 50
REDEMPTION_LABELS: dict[str, str] = {
    "requested": N_("Requested"),
    "approved": N_("Approved"),
    "fulfilled": N_("Delivered"),
    "rejected": N_("Refused"),
}


class RewardsPage(msgspec.Struct, frozen=True, kw_only=True):
    balance: int
    rewards: list[RewardRead]
    redemptions: list[RedemptionRead]
    labels: dict[str, str]
    done: bool


async def _page(request: Request[Any, Any, Any], form: FormState | None, done: bool) -> Response[Any]:
    principal = signed_in(request)
    db = request.app.state.db
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    summary = await ledger.summary(db, principal.person_id, viewer.language)
    catalogue = await rewards.catalogue(db, principal.person_id, everything=False, after_id=None, limit=SHOWN)
    mine = await rewards.redemptions(
        db, person_id=principal.person_id, status=None, after_id=None, limit=SHOWN
    )
    data = RewardsPage(
        balance=summary.balance,
        rewards=[r for _id, r in catalogue],
        redemptions=[r for _id, r in mine],
        labels={k: _(v) for k, v in REDEMPTION_LABELS.items()},
        done=done,
    )
    return page(
        request, viewer, "employee/rewards.html", title=_("Rewards"), data=data, form=form,
        status_code=form.status if form else 200,
    )  # fmt: skip


@get("/rewards", guards=[ANY_PERSON], include_in_schema=False)
async def rewards_page(request: Request[Any, Any, Any], done: FromQuery[str | None] = None) -> Response[Any]:
    return await _page(request, None, done == "redeemed")


@post("/rewards/{reward_id:uuid}/redeem", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def redeem_submit(request: Request[Any, Any, Any], reward_id: FromPath[UUID]) -> Response[Any]:
    principal = signed_in(request)
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        await rewards.redeem(request.app.state.db, reward_id, principal.person_id)
    except DomainError as exc:
        return await _page(request, form_problem(exc, form), done=False)
    return Redirect("/rewards?done=redeemed", status_code=303)


REWARDS_PAGES = [rewards_page, redeem_submit]
