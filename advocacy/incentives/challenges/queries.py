"""SQL for challenges: definitions, participants' standings read from the ledger, and recorded results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.incentives.challenges.schemas import ChallengeResult, ChallengeRow, Standing


async def insert_challenge(conn: asyncpg.Connection, values: dict[str, Any]) -> UUID:
    public_id: UUID = await conn.fetchval(
        "INSERT INTO challenges (name_fr, name_en, description, starts_at, ends_at, team_ids, campaign_id,"
        " goal, threshold, top_n, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " RETURNING public_id",
        values["name_fr"],
        values["name_en"],
        values["description"],
        values["starts_at"],
        values["ends_at"],
        values["team_ids"],
        values["campaign_id"],
        values["goal"],
        values["threshold"],
        values["top_n"],
        values["created_by"],
    )
    return public_id


_CHALLENGE = (
    "SELECT x.id AS pk, x.public_id AS id, x.name_fr, x.name_en, x.description, x.starts_at, x.ends_at,"
    " x.team_ids, x.campaign_id, c.public_id AS campaign_public_id, c.slug AS campaign_slug, x.goal,"
    " x.threshold, x.top_n, x.closed_at FROM challenges x LEFT JOIN campaigns c ON c.id = x.campaign_id"
)


async def challenge_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> ChallengeRow | None:
    row = await conn.fetchrow(_CHALLENGE + " WHERE x.public_id = $1", public_id)
    return msgspec.convert(row, ChallengeRow) if row else None


async def challenges_list(conn: asyncpg.Connection, limit: int) -> list[ChallengeRow]:
    rows = await conn.fetch(_CHALLENGE + " ORDER BY x.starts_at DESC, x.id DESC LIMIT $1", limit)
    return [msgspec.convert(r, ChallengeRow) for r in rows]


async def challenges_due(conn: asyncpg.Connection, now: datetime) -> list[ChallengeRow]:
    rows = await conn.fetch(
        _CHALLENGE
        + " WHERE x.closed_at IS NULL AND x.ends_at <= $1 ORDER BY x.ends_at FOR UPDATE OF x SKIP LOCKED",
        now,
    )
    return [msgspec.convert(r, ChallengeRow) for r in rows]


async def challenge_standings(
    conn: asyncpg.Connection,
    *,
    starts_at: datetime,
    ends_at: datetime,
    team_ids: list[int],
    campaign_id: int | None,
) -> list[Standing]:
    """Participants' board points in the window, best first (ties: who reached the total first)."""
    rows = await conn.fetch(
        """
        SELECT l.person_id, p.display_name, sum(l.points)::bigint AS points,
               max(l.occurred_at) FILTER (WHERE l.points <> 0) AS reached_at
        FROM points_ledger l JOIN people p ON p.id = l.person_id
        JOIN ambassadors a ON a.person_id = l.person_id AND a.status = 'opted_in'
        WHERE l.occurred_at >= $1 AND l.occurred_at < $2
          AND l.kind IN ('share_published', 'click', 'engagement', 'kudos', 'streak_bonus', 'reversal', 'release')
          AND (cardinality($3::bigint[]) = 0 OR l.team_id = ANY($3::bigint[]))
          AND ($4::bigint IS NULL OR l.campaign_id = $4)
        GROUP BY l.person_id, p.display_name
        ORDER BY points DESC, reached_at ASC NULLS LAST, l.person_id
        """,
        starts_at,
        ends_at,
        team_ids,
        campaign_id,
    )
    return [msgspec.convert(r, Standing) for r in rows]


async def record_challenge_results(
    conn: asyncpg.Connection, challenge_id: int, results: Sequence[tuple[int, int, int, bool]]
) -> bool:
    """(person, points, rank, won) rows; closes the challenge. False if it was already closed."""
    status = await conn.execute(
        "UPDATE challenges SET closed_at = now() WHERE id = $1 AND closed_at IS NULL", challenge_id
    )
    if not status.endswith(" 1"):
        return False
    if results:
        await conn.execute(
            "INSERT INTO challenge_results (challenge_id, person_id, points, rank, won)"
            " SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bool[])",
            challenge_id,
            *[list(c) for c in zip(*results, strict=True)],
        )
    return True


async def challenge_results(conn: asyncpg.Connection, challenge_id: int) -> list[ChallengeResult]:
    rows = await conn.fetch(
        "SELECT r.person_id, p.display_name, r.points, r.rank, r.won FROM challenge_results r"
        " JOIN people p ON p.id = r.person_id WHERE r.challenge_id = $1 ORDER BY r.rank",
        challenge_id,
    )
    return [msgspec.convert(r, ChallengeResult) for r in rows]
