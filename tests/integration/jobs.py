"""Running pending outbox rows in tests as the worker would: the real handlers, through run_row."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.outbox.service import run_row
from advocacy.settings import Settings
from workers.jobs import outbox_handlers


async def run_pending(db: Database, redis: Redis, settings: Settings, job: str) -> int:
    """Run pending rows whose job is `job` (or starts with it, when it ends with '.'), again and again
    until none is left (a job may queue the next); returns how many ran. Every row must succeed."""
    ctx: dict[str, Any] = {"db": db, "redis": redis, "settings": settings}
    pattern = job + "%" if job.endswith(".") else job
    ran = 0
    while True:
        async with db.connection() as conn:
            rows = await conn.fetch(
                "SELECT id FROM outbox WHERE status = 'pending' AND job LIKE $1 ORDER BY id", pattern
            )
        if not rows:
            return ran
        for row in rows:
            assert await run_row(db, row["id"], outbox_handlers(), ctx, max_attempts=3) == "done"
            ran += 1
