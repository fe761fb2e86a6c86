"""The demo organisation comes with HR kudos, so `advocacy up` shows a leaderboard; seeding again awards
nothing more."""

from __future__ import annotations

from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.demo import DEMO_KUDOS, seed_demo
from advocacy.incentives.boards import service as boards
from advocacy.incentives.boards.scores import board_key
from advocacy.settings import Settings
from tests.factories import Factory
from tests.integration.jobs import run_pending


async def test_the_demo_seeds_kudos_once_and_they_reach_the_boards(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    await seed_demo(db)
    await run_pending(db, redis, settings, "incentives.award")
    await seed_demo(db)
    await run_pending(db, redis, settings, "incentives.award")
    async with db.connection() as conn:
        kudos = await conn.fetch(
            "SELECT p.email, l.points FROM points_ledger l JOIN people p ON p.id = l.person_id"
            " WHERE l.kind = 'kudos' ORDER BY l.points DESC"
        )
    assert [(r["email"], r["points"]) for r in kudos] == [(email, points) for email, points, _ in DEMO_KUDOS]
    ranking = await boards.board_snapshot(redis, board_key(settings.redis_namespace, "all", "org"))
    assert len(ranking) == len(DEMO_KUDOS)
