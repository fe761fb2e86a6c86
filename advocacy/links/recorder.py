"""Group commit for clicks: every request appends its click to the current batch and waits for the one
INSERT (one commit) that writes the whole batch, so a redirect is answered only once its click is durable,
while PostgreSQL sees one statement per batch instead of one per request.

Up to `max_in_flight` batches are committed at once on separate connections: a commit's latency (the WAL
flush) rather than PostgreSQL's work bounds one writer, so while some batches commit the next one fills and
goes as soon as a writer is free; under load batches grow instead of queueing. A batch that cannot be
written (PostgreSQL unreachable) is retried briefly; then its requests are told, and answered anyway.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from advocacy.db.pool import Database
from advocacy.links import queries
from advocacy.links.schemas import Click

log = logging.getLogger("advocacy.links")

_RETRY_DELAYS = (0.02, 0.1, 0.3)


class ClickRecorder:
    def __init__(self, db: Database, *, max_batch: int = 1000, max_in_flight: int = 4) -> None:
        self._db = db
        self._max_batch = max_batch
        self._pending: list[tuple[Click, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._writers = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.written = 0
        self.lost = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="click-recorder")

    async def stop(self) -> None:
        """Write what is pending, then stop the writer."""
        while self._pending or self._in_flight:
            self._wake.set()
            await asyncio.sleep(0.005)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def record(self, click: Click) -> bool:
        """Returns once the click is committed (True), or could not be written (False)."""
        if self._task is None:
            raise RuntimeError("the click recorder is not running")
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((click, future))
        self._wake.set()
        # a request cancelled while waiting cancels only its own future: the batch is written all the same
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                await self._writers.acquire()
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                task = asyncio.create_task(self._flush(batch))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    async def _flush(self, batch: list[tuple[Click, asyncio.Future[bool]]]) -> None:
        try:
            ok = await self._write([click for click, _ in batch])
        finally:
            self._writers.release()
        for _, future in batch:
            if not future.done():
                future.set_result(ok)

    async def _write(self, clicks: list[Click]) -> bool:
        for attempt, delay in enumerate((0.0, *_RETRY_DELAYS)):
            if delay:
                await asyncio.sleep(delay)
            try:
                async with self._db.connection() as conn:
                    await queries.insert_clicks(conn, clicks)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning(
                    "click batch not written",
                    extra={"clicks": len(clicks), "attempt": attempt + 1, "error": repr(exc)},
                )
                continue
            self.batches += 1
            self.written += len(clicks)
            return True
        self.lost += len(clicks)
        log.error("click batch lost: PostgreSQL unreachable", extra={"clicks": len(clicks)})
        return False
