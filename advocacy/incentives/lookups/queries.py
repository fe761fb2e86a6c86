"""SQL for the names incentives takes from other domains' tables: people, teams and campaigns by public id."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from advocacy.incentives.schemas import CampaignRef


async def team_id_of(conn: asyncpg.Connection, person_id: int) -> int | None:
    value: int | None = await conn.fetchval("SELECT team_id FROM people WHERE id = $1", person_id)
    return value


async def team_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    value: int | None = await conn.fetchval("SELECT id FROM teams WHERE public_id = $1", public_id)
    return value


async def team_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> list[int]:
    rows = await conn.fetch("SELECT id FROM teams WHERE public_id = ANY($1::uuid[])", list(public_ids))
    return [r["id"] for r in rows]


async def person_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    value: int | None = await conn.fetchval("SELECT id FROM people WHERE public_id = $1", public_id)
    return value


async def person_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    rows = await conn.fetch(
        "SELECT public_id, id FROM people WHERE public_id = ANY($1::uuid[])", list(public_ids)
    )
    return {r["public_id"]: r["id"] for r in rows}


async def campaign_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> tuple[int, CampaignRef] | None:
    row = await conn.fetchrow("SELECT id, public_id, slug FROM campaigns WHERE public_id = $1", public_id)
    return None if row is None else (row["id"], CampaignRef(id=row["public_id"], slug=row["slug"]))


async def campaign_by_slug(conn: asyncpg.Connection, slug: str) -> tuple[int, CampaignRef] | None:
    row = await conn.fetchrow("SELECT id, public_id, slug FROM campaigns WHERE slug = $1", slug)
    return None if row is None else (row["id"], CampaignRef(id=row["public_id"], slug=row["slug"]))
