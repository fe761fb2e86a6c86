"""What an opt-out undoes outside PostgreSQL: the person leaves every Redis-held ranking at once."""

from __future__ import annotations

import asyncpg
from redis.asyncio import Redis

from advocacy.ambassadors.service import status_of
from advocacy.incentives.boards.service import remove_person


async def forget_opted_out(conn: asyncpg.Connection, redis: Redis, namespace: str, person_id: int) -> int:
    """Remove the person from every board; returns how many boards listed them. Safe to run twice."""
    if (await status_of(conn, person_id)).status != "opted_out":
        return 0  # they opted in again before this ran: nothing to undo
    return await remove_person(redis, namespace, person_id)
