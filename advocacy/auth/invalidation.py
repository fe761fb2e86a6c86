"""Follows PostgreSQL's identity_changed notifications and drops the matching cache entries in this process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from advocacy.auth.service import PrincipalCache

log = logging.getLogger("advocacy.auth")
CHANNEL = "identity_changed"


def apply_notification(cache: PrincipalCache, payload: str) -> None:
    if payload == "*":
        cache.clear()
    elif payload.isdigit():
        cache.forget_person(int(payload))


async def follow_identity_changes(dsn: str, cache: PrincipalCache) -> None:
    """Runs for the life of the app; while it cannot listen, nothing is cached (the TTL is not trusted alone)."""
    pause = 0.5
    while True:
        lost = asyncio.Event()
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn)
            conn.add_termination_listener(lambda _, lost=lost: lost.set())
            await conn.add_listener(
                CHANNEL, lambda _c, _pid, _ch, payload: apply_notification(cache, payload)
            )
            cache.clear()  # changes made while we were not listening
            cache.live = True
            pause = 0.5
            await lost.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "cannot follow identity changes; caching is off until it can", extra={"error": repr(exc)}
            )
        finally:
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close()
        cache.live = False
        cache.clear()
        await asyncio.sleep(pause)
        pause = min(pause * 2, 10.0)
