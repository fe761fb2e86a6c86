"""Follows PostgreSQL notification channels for this process's caches, on one dedicated connection.

Triggers NOTIFY on commit (migrations 0040 and 0050); each channel's handler drops the matching cache
entries. While the connection is down a cache could miss a change, so every cache it serves is marked not
live (a cache that is not live stores nothing) and emptied; caching resumes, from empty, once listening.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import asyncpg

log = logging.getLogger("advocacy.db")


class FollowedCache(Protocol):
    live: bool

    def clear(self) -> None: ...


async def follow_notifications(
    dsn: str, handlers: Mapping[str, Callable[[str], None]], caches: Sequence[FollowedCache]
) -> None:
    """Runs for the life of the app: calls handlers[channel](payload) for each notification."""
    pause = 0.5
    while True:
        lost = asyncio.Event()
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn)
            conn.add_termination_listener(lambda _, lost=lost: lost.set())
            for channel, handler in handlers.items():
                await conn.add_listener(
                    channel, lambda _c, _pid, _ch, payload, handler=handler: handler(payload)
                )
            for cache in caches:
                cache.clear()  # changes made while we were not listening
                cache.live = True
            pause = 0.5
            await lost.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "cannot follow change notifications; caching is off until it can", extra={"error": repr(exc)}
            )
        finally:
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close()
        for cache in caches:
            cache.live = False
            cache.clear()
        await asyncio.sleep(pause)
        pause = min(pause * 2, 10.0)
