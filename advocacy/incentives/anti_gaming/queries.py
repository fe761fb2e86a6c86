"""SQL for anti-gaming: the organisation's thresholds, and share flags (raised, listed, decided)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.incentives.anti_gaming.schemas import DecidedFlag, FlagRead


async def save_anti_gaming(conn: asyncpg.Connection, value: dict[str, Any]) -> None:
    """Replace `incentives.anti_gaming`, keeping the other `incentives` settings (colours, winners)."""
    await conn.execute(
        "INSERT INTO organisation (id, name, settings)"
        " VALUES (1, 'Organisation', jsonb_build_object('incentives', jsonb_build_object('anti_gaming', $1::jsonb)))"
        " ON CONFLICT (id) DO UPDATE SET settings = organisation.settings || jsonb_build_object('incentives',"
        " COALESCE(organisation.settings -> 'incentives', '{}'::jsonb) || jsonb_build_object('anti_gaming', $1::jsonb)),"
        " updated_at = now()",
        value,
    )


async def insert_flag(
    conn: asyncpg.Connection, share_id: int, person_id: int, reasons: list[str], stats: dict[str, float]
) -> bool:
    status = await conn.execute(
        "INSERT INTO share_flags (share_id, person_id, reasons, stats) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (share_id) DO NOTHING",
        share_id,
        person_id,
        reasons,
        stats,
    )
    return bool(status.endswith(" 1"))


_FLAG = """
SELECT f.id AS pk, f.public_id AS id, s.public_id AS share_id, p.display_name AS person, f.reasons, f.stats,
       f.status,
       COALESCE((SELECT sum(held_points) FROM points_ledger l
                 WHERE l.source_type = 'share' AND l.source_id = f.share_id), 0)::int AS held_points,
       f.flagged_at, f.decided_at, f.note
FROM share_flags f JOIN people p ON p.id = f.person_id JOIN shares s ON s.id = f.share_id
"""


async def flags_page(
    conn: asyncpg.Connection, *, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, FlagRead]]:
    rows = await conn.fetch(
        _FLAG + " WHERE ($1::text IS NULL OR f.status = $1) AND ($2::bigint IS NULL OR f.id > $2)"
        " ORDER BY f.id LIMIT $3",
        status,
        after_id,
        limit,
    )
    return [(r["pk"], msgspec.convert(r, FlagRead)) for r in rows]


async def decide_flag(
    conn: asyncpg.Connection, public_id: UUID, status: str, actor_id: int, note: str | None
) -> DecidedFlag | None:
    """The decided flag's share and person, or None when there is no open flag of that id."""
    row = await conn.fetchrow(
        "UPDATE share_flags SET status = $2, decided_by = $3, decided_at = now(), note = $4"
        " WHERE public_id = $1 AND status = 'open' RETURNING share_id, person_id",
        public_id,
        status,
        actor_id,
        note,
    )
    return msgspec.convert(row, DecidedFlag) if row else None


async def flagged_among(conn: asyncpg.Connection, share_ids: Sequence[int]) -> set[int]:
    """The shares of these that were ever flagged (a share is flagged at most once, whatever HR decided)."""
    rows = await conn.fetch(
        "SELECT share_id FROM share_flags WHERE share_id = ANY($1::bigint[])", list(share_ids)
    )
    return {r["share_id"] for r in rows}


async def flag_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> FlagRead | None:
    row = await conn.fetchrow(_FLAG + " WHERE f.public_id = $1", public_id)
    return msgspec.convert(row, FlagRead) if row else None
