"""What an opt-out undoes outside PostgreSQL: the person leaves every Redis-held ranking at once."""

from __future__ import annotations

import asyncpg
from redis.asyncio import Redis


def board_key_pattern(namespace: str) -> str:
    """Every leaderboard sorted set lives under this pattern (see advocacy/incentives)."""
    return f"{namespace}:board:*"


async def forget_opted_out(conn: asyncpg.Connection, redis: Redis, namespace: str, person_id: int) -> int:
    """Remove the person from every board; returns how many boards listed them. Safe to run twice."""
    still_out = await conn.fetchval(
        "SELECT status = 'opted_out' FROM ambassadors WHERE person_id = $1", person_id
    )
    if not still_out:  # they opted in again before this ran: nothing to undo
        return 0
    removed = 0
    member = str(person_id)
    async for key in redis.scan_iter(match=board_key_pattern(namespace), count=500):
        removed += int(await redis.zrem(key, member))
    return removed
