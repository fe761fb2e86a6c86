"""An arq Worker that rides out a Redis outage of any length instead of exiting: its poll loop backs off,
logs once when Redis goes and once when it comes back, reports itself unready meanwhile, and resumes.

arq 0.28's `Worker.main` lets a `redis.exceptions.ConnectionError` from one poll end the worker, and
`close()` then fails the same way; these overrides catch exactly those at the points arq calls Redis.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("advocacy.worker")

# What a lost Redis raises through redis-py (BusyLoadingError, Redis still loading its data after a
# restart, is a ConnectionError too).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
MAX_BACKOFF_SECONDS = 5.0


class ResilientWorker(Worker):
    def __init__(self, *args: Any, ready_file: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ready = False
        self._ready_file = Path(ready_file) if ready_file else None
        self._backoff = 0.0

    def _set_ready(self, ready: bool, error: BaseException | None = None) -> None:
        if ready == self.ready:
            return
        self.ready = ready
        if ready:
            log.warning("worker reaches Redis: taking jobs")
        else:
            log.warning("worker cannot reach Redis: waiting for it", extra={"error": repr(error)})
        if self._ready_file is not None:
            if ready:
                self._ready_file.touch()
            else:
                self._ready_file.unlink(missing_ok=True)

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_DOWN as exc:
            self._set_ready(False, exc)
            self._backoff = min(MAX_BACKOFF_SECONDS, max(0.25, self._backoff * 2))
            await asyncio.sleep(self._backoff)
            return
        self._backoff = 0.0
        self._set_ready(True)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # arq takes a slot (job_counter, semaphore) before its Redis calls and gives it back only on a
        # Redis answer: a connection error there would leak the slot for good, so it is given back here.
        for job_id in job_ids:
            name = job_id.decode()
            before = self.tasks.get(name)
            try:
                await super().start_jobs([job_id])
            except REDIS_DOWN:
                if self.tasks.get(name) is before:
                    self.job_counter -= 1
                    self.sem.release()
                raise

    async def close(self) -> None:
        try:
            await super().close()
        except REDIS_DOWN as exc:
            # Redis is down while stopping: the health key stays until it expires; the rest still stops.
            log.warning("worker stopping without Redis", extra={"error": repr(exc)})
            if self.on_shutdown:
                await self.on_shutdown(self.ctx)
            if self._pool is not None:
                await self._pool.close(close_connection_pool=True)
                self._pool = None
        finally:
            if self._ready_file is not None:
                self._ready_file.unlink(missing_ok=True)
