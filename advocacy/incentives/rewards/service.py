"""Rewards: the catalogue HR manages, and redemptions that reserve points atomically.

A redemption locks the person's account row, then the reward row (always in that order), checks the
window, eligibility, per-person limit, stock and balance, and writes a negative ledger row in the same
transaction: concurrent requests queue on the locks, so no balance and no stock ever goes below zero.
A rejection writes a refund row and puts the item back in stock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET

from advocacy.audit.service import write_audit
from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.http.csv_cells import csv_document
from advocacy.incentives.ledger import service as ledger
from advocacy.incentives.lookups import service as lookups
from advocacy.incentives.rewards import queries
from advocacy.incentives.rewards.schemas import (
    FulfilBody,
    RedemptionRead,
    RejectBody,
    RewardCreate,
    RewardRead,
    RewardUpdate,
)


def _check_window(active_from: datetime | None, active_until: datetime | None) -> None:
    if active_from is not None and active_until is not None and active_until <= active_from:
        raise Invalid(lazy_gettext("active_until must come after active_from"))


async def create_reward(db: Database, body: RewardCreate) -> RewardRead:
    _check_window(body.active_from, body.active_until)
    async with db.transaction() as conn:
        team_ids = await lookups.team_ids_by_public_ids(conn, body.eligible_teams)
        if len(team_ids) != len(set(body.eligible_teams)):
            raise Invalid(lazy_gettext("One of the eligible teams does not exist"))
        values: dict[str, Any] = msgspec.structs.asdict(body)
        values["eligible_team_ids"] = team_ids
        return await queries.insert_reward(conn, values)


async def update_reward(db: Database, reward_id: UUID, body: RewardUpdate) -> RewardRead:
    values = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not UNSET}
    async with db.transaction() as conn:
        if "eligible_teams" in values:
            teams = values.pop("eligible_teams")
            values["eligible_team_ids"] = await lookups.team_ids_by_public_ids(conn, teams)
            if len(values["eligible_team_ids"]) != len(set(teams)):
                raise Invalid(lazy_gettext("One of the eligible teams does not exist"))
        reward = await queries.update_reward(conn, reward_id, values)
        if reward is None:
            raise NotFound(lazy_gettext("No such reward"))
        _check_window(reward.active_from, reward.active_until)
    return reward


async def catalogue(
    db: Database, person_id: int, *, everything: bool, after_id: int | None, limit: int
) -> list[tuple[int, RewardRead]]:
    async with db.connection() as conn:
        team_id = await lookups.team_id_of(conn, person_id)
        return await queries.rewards_page(
            conn,
            after_id=after_id,
            limit=limit,
            available_for_team=team_id,
            only_available=not everything,
            now=datetime.now(UTC),
        )


async def redeem(db: Database, reward_id: UUID, person_id: int) -> RedemptionRead:
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        balance = await ledger.lock_balance(conn, person_id)
        reward = await queries.lock_reward(conn, reward_id)
        if reward is None or reward.archived:
            raise NotFound(lazy_gettext("No such reward"))
        if (reward.active_from and reward.active_from > now) or (
            reward.active_until and reward.active_until <= now
        ):
            raise Conflict(
                lazy_gettext("This reward cannot be redeemed now"), extra={"reason": "outside-window"}
            )
        if reward.eligible_team_ids:
            team_id = await lookups.team_id_of(conn, person_id)
            if team_id not in reward.eligible_team_ids:
                raise Forbidden(
                    lazy_gettext("This reward is not offered to your team"), extra={"reason": "not-eligible"}
                )
        if reward.per_person_limit is not None:
            taken = await queries.active_redemptions_count(conn, person_id, reward.id)
            if taken >= reward.per_person_limit:
                raise Conflict(
                    lazy_gettext(
                        "You have reached the limit for this reward (%(taken)s redemptions)", taken=taken
                    ),
                    extra={"reason": "limit-reached"},
                )
        if reward.stock is not None and reward.stock <= 0:
            raise Conflict(lazy_gettext("This reward is out of stock"), extra={"reason": "out-of-stock"})
        cost = reward.cost
        if balance < cost:
            raise Conflict(
                lazy_gettext(
                    "This reward costs %(cost)s points and your balance is %(balance)s",
                    cost=cost,
                    balance=balance,
                ),
                extra={"reason": "insufficient-points", "balance": balance, "cost": cost},
            )
        redemption_id = await queries.insert_redemption(conn, reward.id, person_id, cost)
        await ledger.write_redemption_points(
            conn, person_id, "redemption", -cost, redemption_id, reward.name, now
        )
        await queries.take_stock(conn, reward.id, -1)
        return await queries.redemption_read(conn, redemption_id)


# what each decision needs the redemption to be ("cannot be fulfild" was built from the verb)
_REFUSED_DECISION = {
    "approve": lazy_gettext("Only a requested redemption can be approved"),
    "fulfil": lazy_gettext("Only an approved redemption can be fulfilled"),
    "reject": lazy_gettext("Only a requested or approved redemption can be rejected"),
}


async def decide(
    db: Database,
    redemption_id: UUID,
    action: str,
    actor_id: int,
    *,
    fulfil: FulfilBody | None = None,
    reject: RejectBody | None = None,
) -> RedemptionRead:
    """approve (requested -> approved), fulfil (approved -> fulfilled, with a note), reject (requested or
    approved -> rejected: the points come back and the item returns to stock)."""
    allowed = {"approve": ("requested",), "fulfil": ("approved",), "reject": ("requested", "approved")}[
        action
    ]
    async with db.transaction() as conn:
        row = await queries.lock_redemption(conn, redemption_id)
        if row is None:
            raise NotFound(lazy_gettext("No such redemption"))
        if row.person_id == actor_id:
            raise Forbidden(
                lazy_gettext(
                    "Nobody approves, fulfils or rejects their own redemption: ask someone else in HR"
                ),
                extra={"reason": "self"},
            )
        if row.status not in allowed:
            raise Conflict(_REFUSED_DECISION[action], extra={"status": row.status})
        if action == "approve":
            await queries.set_redemption_status(conn, row.id, "approved", actor_id, None)
        elif action == "fulfil":
            await queries.set_redemption_status(
                conn, row.id, "fulfilled", actor_id, fulfil.note if fulfil else None
            )
        else:
            reason = reject.reason if reject else ""
            await ledger.lock_balance(conn, row.person_id)
            await ledger.write_redemption_points(
                conn, row.person_id, "refund", row.cost, row.id, reason, datetime.now(UTC)
            )
            await queries.take_stock(conn, row.reward_id, 1)
            await queries.set_redemption_status(conn, row.id, "rejected", actor_id, reason)
        detail: dict[str, Any] = {"from": row.status, "cost": row.cost}
        if fulfil is not None and action == "fulfil":
            detail["note"] = fulfil.note
        if reject is not None and action == "reject":
            detail["reason"] = reject.reason
        await write_audit(
            conn, actor_id=actor_id, action=f"redemption.{action}", subject_type="redemption",
            subject_id=str(redemption_id), detail=detail,
        )  # fmt: skip
        return await queries.redemption_read(conn, row.id)


async def redemptions(
    db: Database, *, person_id: int | None, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, RedemptionRead]]:
    async with db.connection() as conn:
        return await queries.redemptions_page(
            conn, person_id=person_id, status=status, after_id=after_id, limit=limit
        )


FULFILMENT_COLUMNS = [
    "redemption", "email", "display_name", "team", "reward", "cost", "note",
    "requested_at", "approved_at", "fulfilled_at",
]  # fmt: skip


async def fulfilments_csv(db: Database) -> str:
    async with db.connection() as conn:
        rows = await queries.fulfilments(conn)
    return csv_document(
        FULFILMENT_COLUMNS,
        (
            [str(r.public_id), r.email, r.display_name, r.team, r.reward, r.cost, r.note,
             r.requested_at.isoformat(), r.approved_at.isoformat() if r.approved_at else None,
             r.fulfilled_at.isoformat() if r.fulfilled_at else None]
            for r in rows
        ),
    )  # fmt: skip
