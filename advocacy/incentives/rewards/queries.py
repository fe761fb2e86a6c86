"""SQL for rewards: the catalogue, stock, and redemptions with their states."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.sql import update_columns
from advocacy.incentives.rewards.schemas import (
    Fulfilment,
    LockedRedemption,
    LockedReward,
    RedemptionRead,
    RewardRead,
)

_REWARD = """
SELECT r.id AS pk, r.public_id AS id, r.name, r.description, r.image_url, r.cost, r.stock, r.per_person_limit,
       r.active_from, r.active_until, r.archived, r.eligible_team_ids,
       COALESCE((SELECT array_agg(t.public_id ORDER BY t.id) FROM teams t
                 WHERE t.id = ANY(r.eligible_team_ids)), '{}') AS eligible_teams
FROM rewards r
"""


def _reward(row: asyncpg.Record) -> RewardRead:
    return msgspec.convert(row, RewardRead)


async def insert_reward(conn: asyncpg.Connection, values: dict[str, Any]) -> RewardRead:
    pk = await conn.fetchval(
        "INSERT INTO rewards (name, description, image_url, cost, stock, per_person_limit, active_from,"
        " active_until, eligible_team_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        values["name"],
        values["description"],
        values["image_url"],
        values["cost"],
        values["stock"],
        values["per_person_limit"],
        values["active_from"],
        values["active_until"],
        values["eligible_team_ids"],
    )
    row = await conn.fetchrow(_REWARD + " WHERE r.id = $1", pk)
    assert row is not None
    return _reward(row)


_REWARD_COLUMNS = (
    "name",
    "description",
    "image_url",
    "cost",
    "stock",
    "per_person_limit",
    "active_from",
    "active_until",
    "eligible_team_ids",
    "archived",
)


async def update_reward(
    conn: asyncpg.Connection, public_id: UUID, values: dict[str, Any]
) -> RewardRead | None:
    await update_columns(conn, "rewards", public_id, values, _REWARD_COLUMNS, key="public_id", touch=True)
    row = await conn.fetchrow(_REWARD + " WHERE r.public_id = $1", public_id)
    return _reward(row) if row else None


async def rewards_page(
    conn: asyncpg.Connection,
    *,
    after_id: int | None,
    limit: int,
    available_for_team: int | None,
    only_available: bool,
    now: datetime,
) -> list[tuple[int, RewardRead]]:
    rows = await conn.fetch(
        _REWARD + " WHERE ($1::bigint IS NULL OR r.id > $1)"
        " AND (NOT $3 OR (NOT r.archived AND (r.active_from IS NULL OR r.active_from <= $4)"
        "   AND (r.active_until IS NULL OR r.active_until > $4)"
        "   AND (cardinality(r.eligible_team_ids) = 0 OR $5::bigint = ANY(r.eligible_team_ids))))"
        " ORDER BY r.id LIMIT $2",
        after_id,
        limit,
        only_available,
        now,
        available_for_team,
    )
    return [(r["pk"], _reward(r)) for r in rows]


async def lock_reward(conn: asyncpg.Connection, public_id: UUID) -> LockedReward | None:
    row = await conn.fetchrow(
        "SELECT id, name, cost, stock, per_person_limit, active_from, active_until, eligible_team_ids, archived"
        " FROM rewards WHERE public_id = $1 FOR UPDATE",
        public_id,
    )
    return msgspec.convert(row, LockedReward) if row else None


async def active_redemptions_count(conn: asyncpg.Connection, person_id: int, reward_id: int) -> int:
    value: int = await conn.fetchval(
        "SELECT count(*) FROM redemptions WHERE person_id = $1 AND reward_id = $2 AND status <> 'rejected'",
        person_id,
        reward_id,
    )
    return value


async def take_stock(conn: asyncpg.Connection, reward_id: int, delta: int) -> None:
    await conn.execute(
        "UPDATE rewards SET stock = stock + $2, updated_at = now() WHERE id = $1 AND stock IS NOT NULL",
        reward_id,
        delta,
    )


async def insert_redemption(conn: asyncpg.Connection, reward_id: int, person_id: int, cost: int) -> int:
    """The new redemption's id."""
    redemption_id: int = await conn.fetchval(
        "INSERT INTO redemptions (reward_id, person_id, cost) VALUES ($1, $2, $3) RETURNING id",
        reward_id,
        person_id,
        cost,
    )
    return redemption_id


_REDEMPTION = """
SELECT x.id AS pk, x.public_id AS id, r.public_id AS reward_id, r.name AS reward, p.display_name AS person,
       x.cost, x.status, x.note, x.requested_at, x.approved_at, x.fulfilled_at, x.rejected_at
FROM redemptions x JOIN rewards r ON r.id = x.reward_id JOIN people p ON p.id = x.person_id
"""


async def redemption_read(conn: asyncpg.Connection, redemption_id: int) -> RedemptionRead:
    row = await conn.fetchrow(_REDEMPTION + " WHERE x.id = $1", redemption_id)
    return msgspec.convert(row, RedemptionRead)


async def lock_redemption(conn: asyncpg.Connection, public_id: UUID) -> LockedRedemption | None:
    row = await conn.fetchrow(
        "SELECT x.id, x.person_id, x.reward_id, x.cost, x.status, r.name AS reward FROM redemptions x"
        " JOIN rewards r ON r.id = x.reward_id WHERE x.public_id = $1 FOR UPDATE OF x",
        public_id,
    )
    return msgspec.convert(row, LockedRedemption) if row else None


async def set_redemption_status(
    conn: asyncpg.Connection, redemption_id: int, status: str, actor_id: int, note: str | None
) -> None:
    column = {"approved": "approved_at", "fulfilled": "fulfilled_at", "rejected": "rejected_at"}[status]
    await conn.execute(
        f"UPDATE redemptions SET status = $2, {column} = now(), decided_by = $3,"
        " note = COALESCE($4, note) WHERE id = $1",
        redemption_id,
        status,
        actor_id,
        note,
    )


async def redemptions_page(
    conn: asyncpg.Connection,
    *,
    person_id: int | None,
    status: str | None,
    after_id: int | None,
    limit: int,
) -> list[tuple[int, RedemptionRead]]:
    rows = await conn.fetch(
        _REDEMPTION
        + " WHERE ($1::bigint IS NULL OR x.person_id = $1) AND ($2::text IS NULL OR x.status = $2)"
        " AND ($3::bigint IS NULL OR x.id > $3) ORDER BY x.id LIMIT $4",
        person_id,
        status,
        after_id,
        limit,
    )
    return [(r["pk"], msgspec.convert(r, RedemptionRead)) for r in rows]


async def fulfilments(conn: asyncpg.Connection) -> list[Fulfilment]:
    rows = await conn.fetch(
        "SELECT x.public_id, p.email, p.display_name, t.name AS team, r.name AS reward, x.cost, x.note,"
        " x.requested_at, x.approved_at, x.fulfilled_at FROM redemptions x"
        " JOIN rewards r ON r.id = x.reward_id JOIN people p ON p.id = x.person_id"
        " LEFT JOIN teams t ON t.id = p.team_id WHERE x.status = 'fulfilled' ORDER BY x.fulfilled_at, x.id"
    )
    return [msgspec.convert(r, Fulfilment) for r in rows]
