"""The outbox relay loop: wakes on NOTIFY outbox (or every second), moves due rows to arq, delivers again
what a killed worker or a Redis that lost its data left undone, and rides out either store being down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

import asyncpg
from arq.constants import in_progress_key_prefix, job_key_prefix

from advocacy.db.pool import Database
from advocacy.incentives.boards.service import REBUILD_JOB
from advocacy.outbox.service import (
    REDELIVER_AFTER_SECONDS,
    RUN_OUTBOX_JOB,
    enqueue,
    job_id,
    note_queue_incarnation,
    relay_once,
)

log = logging.getLogger("advocacy.relay")

# Backoff while a store is down: short enough that work resumes within seconds of it coming back.
MAX_PAUSE_SECONDS = 5.0


class ArqQueue:
    """The outbox's Queue on arq: one job id per delivery, and whether a delivery's job still waits."""

    def __init__(self, arq_redis: Any, namespace: str, queue_name: str) -> None:
        self._redis = arq_redis
        self._namespace = namespace
        self._queue_name = queue_name

    async def enqueue(self, row_id: int, delivery: int) -> None:
        await self._redis.enqueue_job(
            RUN_OUTBOX_JOB,
            row_id,
            _job_id=job_id(self._namespace, row_id, delivery),
            _queue_name=self._queue_name,
        )

    async def waiting(self, deliveries: list[tuple[int, int]]) -> set[int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for row_id, delivery in deliveries:
                jid = job_id(self._namespace, row_id, delivery)
                pipe.exists(job_key_prefix + jid)
                pipe.exists(in_progress_key_prefix + jid)
            found = await pipe.execute()
        return {
            row_id
            for (row_id, _), queued, started in zip(deliveries, found[::2], found[1::2], strict=True)
            if queued and not started
        }


def marker_key(namespace: str) -> str:
    return f"{namespace}:incarnation"


async def check_incarnation(db: Database, arq_redis: Any, namespace: str) -> bool:
    """Notice a Redis that restarted (new run_id) or lost its data (marker key gone): the rows it held are
    delivered again at once and the leaderboards rebuilt, once across all workers. Returns whether it had."""
    key = marker_key(namespace)
    await arq_redis.set(key, secrets.token_hex(8), nx=True)
    async with arq_redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.info("server")
        marker, info = await pipe.execute()
    run_id = str(info["run_id"])
    if isinstance(marker, bytes):
        marker = marker.decode()

    async def rebuild_boards(conn: asyncpg.Connection) -> None:
        await enqueue(conn, REBUILD_JOB, {}, dedupe_key=f"boards:rebuild:{run_id}:{marker}")

    return await note_queue_incarnation(db, run_id, str(marker), rebuild_boards)


class Health:
    """Whether the relay reaches both stores; logs once per change of state, not once per attempt."""

    def __init__(self) -> None:
        self.ok = True

    def failed(self, exc: BaseException) -> None:
        if self.ok:
            log.warning("outbox relay cannot reach PostgreSQL or Redis; retrying", extra={"error": repr(exc)})
        self.ok = False

    def succeeded(self) -> None:
        if not self.ok:
            log.warning("outbox relay reaches PostgreSQL and Redis again")
        self.ok = True


async def relay_forever(
    db: Database,
    arq_redis: Any,
    namespace: str,
    queue_name: str,
    dsn: str,
    *,
    redeliver_after: float = REDELIVER_AFTER_SECONDS,
    health: Health | None = None,
) -> None:
    wake = asyncio.Event()
    listener: asyncpg.Connection | None = None
    queue = ArqQueue(arq_redis, namespace, queue_name)
    health = health or Health()
    pause = 1.0
    try:
        while True:
            if listener is None or listener.is_closed():
                try:
                    listener = await asyncpg.connect(dsn, timeout=5)
                    await listener.add_listener("outbox", lambda *_: wake.set())
                except Exception as exc:
                    log.debug("relay cannot listen for outbox rows", extra={"error": repr(exc)})
                    listener = None
            try:
                await check_incarnation(db, arq_redis, namespace)
                while await relay_once(db, queue, redeliver_after=redeliver_after) > 0:
                    pass
                health.succeeded()
                pause = 1.0
            except Exception as exc:  # queue or database down: back off; rows wait in PostgreSQL
                health.failed(exc)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=pause)
    finally:
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.close()
