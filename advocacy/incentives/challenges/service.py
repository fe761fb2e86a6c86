"""Challenges: time-boxed, for some teams or a campaign, won over a threshold or by the top N; progress is
read from the ledger, and results are recorded once when the challenge ends (cron)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from advocacy.core.errors import Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.incentives.boards.service import names_shown_to
from advocacy.incentives.challenges import queries
from advocacy.incentives.challenges.schemas import (
    ChallengeCreate,
    ChallengeRead,
    ChallengeRow,
    ChallengeStanding,
    Standing,
)
from advocacy.incentives.lookups import service as lookups
from advocacy.incentives.schemas import CampaignRef


async def create(db: Database, body: ChallengeCreate, actor_id: int) -> UUID:
    if body.ends_at <= body.starts_at:
        raise Invalid(lazy_gettext("A challenge must end after it starts"))
    if body.goal == "threshold" and body.threshold is None:
        raise Invalid(lazy_gettext("A threshold challenge needs `threshold`"))
    if body.goal == "top_n" and body.top_n is None:
        raise Invalid(lazy_gettext("A top-N challenge needs `top_n`"))
    if not body.teams and body.campaign is None:
        raise Invalid(lazy_gettext("Name the teams or the campaign the challenge is for"))
    async with db.transaction() as conn:
        team_ids = await lookups.team_ids_by_public_ids(conn, body.teams)
        if len(team_ids) != len(set(body.teams)):
            raise Invalid(lazy_gettext("One of the teams does not exist"))
        campaign_id = None
        if body.campaign is not None:
            try:
                campaign_id, _ = await lookups.campaign_of(conn, body.campaign)
            except NotFound as exc:
                raise Invalid(str(exc)) from None
        return await queries.insert_challenge(
            conn,
            {
                "name_fr": body.name_fr,
                "name_en": body.name_en,
                "description": body.description,
                "starts_at": body.starts_at,
                "ends_at": body.ends_at,
                "team_ids": team_ids,
                "campaign_id": campaign_id,
                "goal": body.goal,
                "threshold": body.threshold if body.goal == "threshold" else None,
                "top_n": body.top_n if body.goal == "top_n" else None,
                "created_by": actor_id,
            },
        )


def winners(goal: str, threshold: int | None, top_n: int | None, points: list[int]) -> list[bool]:
    """Who wins, given participants' points best first."""
    if goal == "threshold":
        return [p >= (threshold or 0) for p in points]
    return [i < (top_n or 0) and p > 0 for i, p in enumerate(points)]


async def _standings(conn: asyncpg.Connection, row: ChallengeRow) -> list[Standing]:
    return await queries.challenge_standings(
        conn,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        team_ids=list(row.team_ids),
        campaign_id=row.campaign_id,
    )


def _read(
    row: ChallengeRow, language: str, standings: list[ChallengeStanding], my_points: int | None
) -> ChallengeRead:
    return ChallengeRead(
        id=row.id,
        name=row.name_fr if language == "fr" else row.name_en,
        description=row.description,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        goal=row.goal,
        threshold=row.threshold,
        top_n=row.top_n,
        campaign=(
            CampaignRef(id=row.campaign_public_id, slug=row.campaign_slug)
            if row.campaign_public_id is not None and row.campaign_slug is not None
            else None
        ),
        closed=row.closed_at is not None,
        my_points=my_points,
        standings=standings,
    )


async def progress(db: Database, challenge_id: UUID, person_id: int, language: str) -> ChallengeRead:
    """Standings so far (or the recorded results once closed), with my points; each person shown as their
    board visibility allows this reader (the boards' rule: names_shown_to)."""
    async with db.connection() as conn:
        row = await queries.challenge_by_public_id(conn, challenge_id)
        if row is None:
            raise NotFound(lazy_gettext("No such challenge"))
        ranked: list[tuple[int, int, int, bool | None]]
        if row.closed_at is not None:
            ranked = [
                (r.rank, r.person_id, r.points, r.won) for r in await queries.challenge_results(conn, row.pk)
            ]
        else:
            ranked = [(i + 1, r.person_id, r.points, None) for i, r in enumerate(await _standings(conn, row))]
        names = await names_shown_to(conn, person_id, [person for _, person, _, _ in ranked])
    standings = [
        ChallengeStanding(rank=rank, name=names[person], points=points, won=won, is_me=person == person_id)
        for rank, person, points, won in ranked
        if person in names
    ]
    mine = next((s.points for s in standings if s.is_me), None)
    return _read(row, language, standings[:100], mine)


async def listing(db: Database, language: str) -> list[ChallengeRead]:
    async with db.connection() as conn:
        rows = await queries.challenges_list(conn, 100)
    return [_read(r, language, [], None) for r in rows]


async def close_due(db: Database, now: datetime | None = None) -> int:
    """Record results of every challenge that has ended; each is closed once. Returns how many closed."""
    now = now or datetime.now(UTC)
    closed = 0
    async with db.transaction() as conn:
        for row in await queries.challenges_due(conn, now):
            live = await _standings(conn, row)
            won = winners(row.goal, row.threshold, row.top_n, [r.points for r in live])
            results: list[tuple[Any, ...]] = [
                (r.person_id, r.points, i + 1, w) for i, (r, w) in enumerate(zip(live, won, strict=True))
            ]
            if await queries.record_challenge_results(conn, row.pk, results):
                closed += 1
    return closed
