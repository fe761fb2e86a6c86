"""The outbox relay loop: wakes on NOTIFY outbox (or every second) and moves due rows to arq."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from advocacy.db.pool import Database
from advocacy.outbox.service import RUN_OUTBOX_JOB, job_id, relay_once

log = logging.getLogger("advocacy.relay")


def enqueuer(arq_redis: Any, namespace: str, queue_name: str) -> Any:
    async def enqueue(row_id: int) -> None:
        await arq_redis.enqueue_job(
            RUN_OUTBOX_JOB, row_id, _job_id=job_id(namespace, row_id), _queue_name=queue_name
        )

    return enqueue


async def relay_forever(db: Database, arq_redis: Any, namespace: str, queue_name: str, dsn: str) -> None:
    wake = asyncio.Event()
    listener: asyncpg.Connection | None = None
    enqueue = enqueuer(arq_redis, namespace, queue_name)
    pause = 1.0
    try:
        while True:
            if listener is None or listener.is_closed():
                try:
                    listener = await asyncpg.connect(dsn)
                    await listener.add_listener("outbox", lambda *_: wake.set())
                except Exception as exc:
                    log.warning("relay cannot listen for outbox rows", extra={"error": repr(exc)})
                    listener = None
            try:
                while await relay_once(db, enqueue) > 0:
                    pass
                pause = 1.0
            except Exception:
                pause = min(pause * 2, 30.0)  # queue or database down: back off, nothing is lost
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=pause)
    finally:
        if listener is not None:
            await listener.close()
