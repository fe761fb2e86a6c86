"""SQL for boards: per-day totals a rebuild rolls up, the profiles a board page shows, a person's rows to
fold back after a new opt-in."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from advocacy.incentives.boards.schemas import BoardProfile, DayTotal
from advocacy.incentives.boards.scores import BOARD_KINDS
from advocacy.incentives.schemas import ENTRY_COLUMNS, LedgerEntry


async def lock_boards(conn: asyncpg.Connection, *, exclusive: bool) -> None:
    """The boards lock. Every writer of rows that move boards holds it shared from its ledger write to its
    commit, its Redis fold included; a rebuild holds it alone (session-level, released by unlock_boards)
    to read the ledger's high-water mark, and again to swap its boards in and fold what came after."""
    if exclusive:
        await conn.execute("SELECT pg_advisory_lock(hashtext('advocacy:boards'))")
    else:
        await conn.execute("SELECT pg_advisory_xact_lock_shared(hashtext('advocacy:boards'))")


async def unlock_boards(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_unlock(hashtext('advocacy:boards'))")


async def ledger_high_water_mark(conn: asyncpg.Connection) -> int:
    """The last ledger row's id (0 if none)."""
    value: int = await conn.fetchval("SELECT coalesce(max(id), 0) FROM points_ledger")
    return value


async def board_day_totals(conn: asyncpg.Connection, upto: int) -> list[DayTotal]:
    """Per (person, team, campaign, UTC day): points and the last time a non-zero row changed them, for
    people who are ambassadors now, over ledger rows up to id `upto`. Days nest in weeks, months and
    quarters, so they roll up exactly."""
    rows = await conn.fetch(
        """
        SELECT l.person_id, l.team_id, l.campaign_id, (l.occurred_at AT TIME ZONE 'UTC')::date AS day,
               sum(l.points)::bigint AS points,
               max(l.occurred_at) FILTER (WHERE l.points <> 0) AS reached_at
        FROM points_ledger l JOIN ambassadors a ON a.person_id = l.person_id AND a.status = 'opted_in'
        WHERE l.kind IN ('share_published', 'click', 'engagement', 'kudos', 'streak_bonus', 'reversal',
                         'release', 'challenge')
          AND l.id <= $1
        GROUP BY 1, 2, 3, 4
        HAVING bool_or(l.points <> 0)
        """,
        upto,
    )
    # positional: a rebuild reads hundreds of thousands of these, and the columns are the Struct's fields
    return [DayTotal(*r) for r in rows]


async def board_entries_after(conn: asyncpg.Connection, after: int) -> list[LedgerEntry]:
    """Ledger rows past id `after` that move boards, of people who are ambassadors now."""
    columns = ", ".join("l." + c.strip() for c in ENTRY_COLUMNS.split(","))
    rows = await conn.fetch(
        f"SELECT {columns} FROM points_ledger l"
        " JOIN ambassadors a ON a.person_id = l.person_id AND a.status = 'opted_in'"
        " WHERE l.id > $1 AND l.points <> 0 AND l.kind = ANY($2::text[]) ORDER BY l.id",
        after,
        sorted(BOARD_KINDS),
    )
    return [msgspec.convert(r, LedgerEntry) for r in rows]


async def not_opted_in(conn: asyncpg.Connection, person_ids: list[int]) -> list[int]:
    """Those of these people who are not ambassadors now."""
    rows = await conn.fetch(
        "SELECT p FROM unnest($1::bigint[]) AS p"
        " WHERE NOT EXISTS (SELECT 1 FROM ambassadors a WHERE a.person_id = p AND a.status = 'opted_in')",
        person_ids,
    )
    return [r["p"] for r in rows]


async def board_profiles(conn: asyncpg.Connection, person_ids: Sequence[int]) -> dict[int, BoardProfile]:
    rows = await conn.fetch(
        "SELECT p.id, p.display_name, p.team_id, COALESCE(a.visibility, 'hidden'),"
        " COALESCE(a.alias_number, 0), COALESCE(a.status = 'opted_in', false)"
        " FROM people p LEFT JOIN ambassadors a ON a.person_id = p.id WHERE p.id = ANY($1::bigint[])",
        list(person_ids),
    )
    return {
        r[0]: BoardProfile(
            person_id=r[0], display_name=r[1], team_id=r[2], visibility=r[3], alias_number=r[4], opted_in=r[5]
        )
        for r in rows
    }


async def board_entries_of_person(conn: asyncpg.Connection, person_id: int, upto: int) -> list[LedgerEntry]:
    """The person's ledger rows up to id `upto` that move boards (restore after a new opt-in)."""
    rows = await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM points_ledger WHERE person_id = $1 AND id <= $2 AND points <> 0"
        " AND kind = ANY($3::text[]) ORDER BY id",
        person_id,
        upto,
        sorted(BOARD_KINDS),
    )
    return [msgspec.convert(r, LedgerEntry) for r in rows]
