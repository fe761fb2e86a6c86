"""SQL for recognition periods: a month's board totals, and the closed periods with their winners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from advocacy.incentives.recognition.schemas import MonthTotal, StoredPeriod


async def month_totals(conn: asyncpg.Connection, start: datetime, end: datetime) -> list[MonthTotal]:
    """Per opted-in person: organisation-wide board points in [start, end) and when they reached them."""
    rows = await conn.fetch(
        """
        SELECT l.person_id, p.display_name, sum(l.points)::bigint AS points,
               max(l.occurred_at) FILTER (WHERE l.points <> 0) AS reached_at
        FROM points_ledger l JOIN ambassadors a ON a.person_id = l.person_id AND a.status = 'opted_in'
        JOIN people p ON p.id = l.person_id
        WHERE l.occurred_at >= $1 AND l.occurred_at < $2
          AND l.kind IN ('share_published', 'click', 'engagement', 'kudos', 'streak_bonus', 'reversal',
                         'release', 'challenge')
        GROUP BY l.person_id, p.display_name
        HAVING bool_or(l.points <> 0)
        """,
        start,
        end,
    )
    return [msgspec.convert(r, MonthTotal) for r in rows]


# The winners as stored name people by internal id; what leaves the server names them by public id.
_RECOGNITION = """
SELECT r.period, r.closed_at,
       COALESCE((SELECT jsonb_agg(w.winner || jsonb_build_object('person_id', p.public_id) ORDER BY w.n)
                 FROM jsonb_array_elements(r.winners) WITH ORDINALITY AS w (winner, n)
                 JOIN people p ON p.id = (w.winner ->> 'person_id')::bigint), '[]'::jsonb) AS winners
"""


async def recognition_period(conn: asyncpg.Connection, period: str) -> StoredPeriod | None:
    row = await conn.fetchrow(_RECOGNITION + " FROM recognition_periods r WHERE r.period = $1", period)
    return msgspec.convert(row, StoredPeriod) if row else None


async def insert_recognition_period(
    conn: asyncpg.Connection, period: str, winners: list[dict[str, Any]], actor_id: int | None
) -> StoredPeriod | None:
    """The period as stored now, or None when it was closed already (by someone else a moment ago)."""
    row = await conn.fetchrow(
        "WITH r AS (INSERT INTO recognition_periods (period, winners, closed_by) VALUES ($1, $2, $3)"
        " ON CONFLICT (period) DO NOTHING RETURNING period, winners, closed_at) " + _RECOGNITION + " FROM r",
        period,
        winners,
        actor_id,
    )
    return msgspec.convert(row, StoredPeriod) if row else None


async def recognition_periods(conn: asyncpg.Connection) -> list[StoredPeriod]:
    rows = await conn.fetch(_RECOGNITION + " FROM recognition_periods r ORDER BY r.period DESC")
    return [msgspec.convert(r, StoredPeriod) for r in rows]
