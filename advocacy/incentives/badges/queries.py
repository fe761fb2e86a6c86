"""SQL for badges and their notifications: awarding (once per person and period), a person's badges, one
badge for its card, and the notifications a person received."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from advocacy.incentives.badges.schemas import (
    BadgeAward,
    BadgeCounters,
    BadgeRead,
    NewBadge,
    StoredNotification,
)


async def insert_badges(
    conn: asyncpg.Connection, awards: Sequence[tuple[int, str, str, datetime]]
) -> list[NewBadge]:
    """(person, badge, period, at); each badge once per person and period. Returns the new ones."""
    if not awards:
        return []
    rows = await conn.fetch(
        "INSERT INTO badge_awards (person_id, badge, period, awarded_at)"
        " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])"
        " ON CONFLICT DO NOTHING RETURNING id, person_id, badge, period",
        [a[0] for a in awards],
        [a[1] for a in awards],
        [a[2] for a in awards],
        [a[3] for a in awards],
    )
    return [msgspec.convert(r, NewBadge) for r in rows]


async def badges_of(conn: asyncpg.Connection, person_id: int) -> list[tuple[BadgeRead, str]]:
    rows = await conn.fetch(
        "SELECT public_id AS id, badge, period, awarded_at FROM badge_awards WHERE person_id = $1"
        " ORDER BY awarded_at, id",
        person_id,
    )
    return [(msgspec.convert({**dict(r), "name": r["badge"]}, BadgeRead), r["badge"]) for r in rows]


async def badge_award(conn: asyncpg.Connection, person_id: int, public_id: UUID) -> BadgeAward | None:
    row = await conn.fetchrow(
        "SELECT b.badge, b.period, b.awarded_at, p.display_name, p.language FROM badge_awards b"
        " JOIN people p ON p.id = b.person_id WHERE b.person_id = $1 AND b.public_id = $2",
        person_id,
        public_id,
    )
    return msgspec.convert(row, BadgeAward) if row else None


async def insert_notifications(
    conn: asyncpg.Connection, rows: Sequence[tuple[int, str, str, str, int | None, str]]
) -> None:
    """(person, kind, subject_fr, subject_en, badge award id, dedupe key)."""
    if not rows:
        return
    await conn.execute(
        "INSERT INTO recognition_notifications (person_id, kind, subject_fr, subject_en, badge_award_id,"
        " dedupe_key) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[],"
        " $6::text[]) ON CONFLICT (dedupe_key) DO NOTHING",
        *[list(c) for c in zip(*rows, strict=True)],
    )


async def notifications_of(conn: asyncpg.Connection, person_id: int, limit: int) -> list[StoredNotification]:
    rows = await conn.fetch(
        "SELECT public_id AS id, kind, subject_fr, subject_en, created_at FROM recognition_notifications"
        " WHERE person_id = $1 ORDER BY id DESC LIMIT $2",
        person_id,
        limit,
    )
    return [msgspec.convert(r, StoredNotification) for r in rows]


async def counters_of(conn: asyncpg.Connection, person_ids: Sequence[int]) -> dict[int, BadgeCounters]:
    """The account counters badges are earned by (shares, unique clicks), kept in step by every award."""
    rows = await conn.fetch(
        "SELECT person_id, shares, unique_clicks FROM points_accounts WHERE person_id = ANY($1::bigint[])",
        list(person_ids),
    )
    return {r["person_id"]: msgspec.convert(r, BadgeCounters) for r in rows}


async def own_badge_award(conn: asyncpg.Connection, person_id: int, public_id: UUID) -> int | None:
    """The id of the person's own badge award (another person's is None: it is not theirs to share)."""
    found: int | None = await conn.fetchval(
        "SELECT id FROM badge_awards WHERE public_id = $1 AND person_id = $2", public_id, person_id
    )
    return found
