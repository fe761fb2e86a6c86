"""SQL of campaigns, and only SQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.sql import update_columns
from content_library.campaigns.schemas import CampaignRead
from content_library.sql import CAMPAIGN_BY_KEY

_CAMPAIGN = (
    "SELECT public_id AS id, slug, name, description, starts_at, ends_at, goal,"
    " points_multiplier::float8 AS points_multiplier, created_at FROM campaigns"
)


async def insert_campaign(
    conn: asyncpg.Connection, values: dict[str, Any], created_by: int | None
) -> CampaignRead | None:
    row = await conn.fetchrow(
        "WITH made AS (INSERT INTO campaigns (slug, name, description, starts_at, ends_at, goal,"
        " points_multiplier, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (slug) DO NOTHING RETURNING *)"
        " SELECT public_id AS id, slug, name, description, starts_at, ends_at, goal,"
        " points_multiplier::float8 AS points_multiplier, created_at FROM made",
        values["slug"],
        values["name"],
        values.get("description"),
        values.get("starts_at"),
        values.get("ends_at"),
        values.get("goal"),
        values.get("points_multiplier", 1.0),
        created_by,
    )
    return msgspec.convert(row, CampaignRead) if row else None


_CAMPAIGN_COLUMNS = {"name", "description", "starts_at", "ends_at", "goal", "points_multiplier"}


async def update_campaign(
    conn: asyncpg.Connection, public_id: UUID, changes: dict[str, Any]
) -> CampaignRead | None:
    await update_columns(
        conn, "campaigns", public_id, changes, _CAMPAIGN_COLUMNS, key="public_id", touch=True
    )
    return await campaign_by_public_id(conn, public_id)


async def campaign_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> CampaignRead | None:
    row = await conn.fetchrow(_CAMPAIGN + " WHERE public_id = $1", public_id)
    return msgspec.convert(row, CampaignRead) if row else None


async def campaign_key(
    conn: asyncpg.Connection, *, public_id: UUID | None = None, slug: str | None = None
) -> tuple[int, UUID, str] | None:
    """(internal id, public id, slug) of the campaign with this public id, or else this slug."""
    if public_id is not None:
        row = await conn.fetchrow("SELECT id, public_id, slug FROM campaigns WHERE public_id = $1", public_id)
    else:
        row = await conn.fetchrow("SELECT id, public_id, slug FROM campaigns WHERE slug = $1", slug)
    return None if row is None else (row["id"], row["public_id"], row["slug"])


async def campaign_slug(conn: asyncpg.Connection, campaign_id: int) -> str | None:
    value: str | None = await conn.fetchval("SELECT slug FROM campaigns WHERE id = $1", campaign_id)
    return value


async def campaign_id_by_key(conn: asyncpg.Connection, key: str) -> int | None:
    value: int | None = await conn.fetchval("SELECT " + CAMPAIGN_BY_KEY.format(key="$1"), key)
    return value


async def campaigns_page(
    conn: asyncpg.Connection, *, after_id: int | None, limit: int
) -> list[tuple[int, CampaignRead]]:
    rows = await conn.fetch(
        "SELECT id AS pk, public_id AS id, slug, name, description, starts_at, ends_at, goal,"
        " points_multiplier::float8 AS points_multiplier, created_at FROM campaigns"
        " WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
        after_id,
        limit,
    )
    return [(r["pk"], msgspec.convert(r, CampaignRead)) for r in rows]
