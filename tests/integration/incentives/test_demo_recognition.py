"""The demo organisation comes with HR kudos, so `advocacy up` shows a leaderboard; seeding again awards
nothing more."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.demo import DEMO_KUDOS, seed_demo
from advocacy.incentives import boards
from advocacy.incentives.rules import board_key
from advocacy.outbox.service import run_row
from advocacy.settings import Settings
from tests.factories import Factory
from workers.jobs import outbox_handlers


async def run_awards(db: Database, redis: Redis, settings: Settings) -> None:
    ctx: dict[str, Any] = {"db": db, "redis": redis, "settings": settings}
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT id FROM outbox WHERE status = 'pending' AND job = 'incentives.award'")
    for row in rows:
        assert await run_row(db, row["id"], outbox_handlers(), ctx, max_attempts=3) == "done"


async def test_the_demo_seeds_kudos_once_and_they_reach_the_boards(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    await seed_demo(db)
    await run_awards(db, redis, settings)
    await seed_demo(db)
    await run_awards(db, redis, settings)
    async with db.connection() as conn:
        kudos = await conn.fetch(
            "SELECT p.email, l.points FROM points_ledger l JOIN people p ON p.id = l.person_id"
            " WHERE l.kind = 'kudos' ORDER BY l.points DESC"
        )
    assert [(r["email"], r["points"]) for r in kudos] == [(email, points) for email, points, _ in DEMO_KUDOS]
    ranking = await boards.board_snapshot(redis, board_key(settings.redis_namespace, "all", "org"))
    assert len(ranking) == len(DEMO_KUDOS)
