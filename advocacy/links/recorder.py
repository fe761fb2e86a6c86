"""Group commit for clicks: every request appends its click to the current batch and waits for the one
INSERT (one commit) that writes the whole batch, so a redirect is answered only once its click is durable,
while PostgreSQL sees one statement per batch instead of one per request.

Up to `max_in_flight` batches are committed at once on separate connections: a commit's latency (the WAL
flush) rather than PostgreSQL's work bounds one writer, so while some batches commit the next one fills and
goes as soon as a writer is free; under load batches grow instead of queueing. A batch that cannot be
written (PostgreSQL unreachable, or not answering within WRITE_TIMEOUT) is retried once, then written to
the local spool (advocacy/links/spool.py) and drained into PostgreSQL when it answers again: either way a
visitor is answered only once the click is durable. If the spool cannot be written either, the request is
told, and the visitor gets an error instead of a redirect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import asyncpg

from advocacy.db.pool import Database
from advocacy.links import queries
from advocacy.links.schemas import Click
from advocacy.links.spool import ClickSpool

log = logging.getLogger("advocacy.links")

# A pooled connection broken by a PostgreSQL restart fails once; the retry gets a fresh one.
_RETRY_DELAYS = (0.0, 0.05)
# Longer than any healthy batch commit; a PostgreSQL that hangs (stopped, a network partition) costs a
# visitor at most this (twice) before the batch goes to the spool.
WRITE_TIMEOUT = 1.0
_DRAIN_PAUSE_MAX = 5.0


class ClickRecorder:
    def __init__(
        self, db: Database, spool: ClickSpool, *, max_batch: int = 1000, max_in_flight: int = 4
    ) -> None:
        self._db = db
        self._spool = spool
        self._spooled = asyncio.Event()
        self._drainer: asyncio.Task[None] | None = None
        self._max_batch = max_batch
        self._pending: list[tuple[Click, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._writers = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.written = 0
        self.spooled = 0
        self._spooling = False
        self.drained = 0
        self.lost = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="click-recorder")
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain_forever(), name="click-spool-drainer")

    async def stop(self) -> None:
        """Write what is pending (and, if PostgreSQL answers, what was spooled), then stop the writer."""
        while self._pending or self._in_flight:
            self._wake.set()
            await asyncio.sleep(0.005)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drain(), timeout=5)
        for task in (self._task, self._drainer):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._task = self._drainer = None

    async def record(self, click: Click) -> bool:
        """Returns once the click is durable: committed, or spooled (True); or if neither could be (False)."""
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
        batch_id = uuid.uuid4()
        for attempt, delay in enumerate(_RETRY_DELAYS):
            if delay:
                await asyncio.sleep(delay)
            try:
                async with asyncio.timeout(WRITE_TIMEOUT), self._db.connection() as conn:
                    await queries.insert_clicks(conn, batch_id, clicks)
            except Exception as exc:  # whatever kept it out of PostgreSQL, the spool keeps it
                log.debug(
                    "click batch not written",
                    extra={"clicks": len(clicks), "attempt": attempt + 1, "error": repr(exc)},
                )
                continue
            self.batches += 1
            self.written += len(clicks)
            self._spooling = False
            return True
        # PostgreSQL is down, or its answer was lost: kept on disk under the same batch id, so the drain
        # writes it once whether or not this INSERT reached PostgreSQL after all.
        try:
            await asyncio.to_thread(self._spool.write, batch_id, clicks)
        except OSError as exc:
            self.lost += len(clicks)
            log.error(
                "click batch neither written nor spooled: visitors get an error",
                extra={"clicks": len(clicks), "error": repr(exc)},
            )
            return False
        if not self._spooling:
            self._spooling = True
            log.warning(
                "PostgreSQL is not taking clicks: spooling them to disk", extra={"clicks": len(clicks)}
            )
        self.spooled += len(clicks)
        self._spooled.set()
        return True

    async def drain(self) -> int:
        """Write spooled batches into PostgreSQL, oldest first, each exactly once; returns the clicks written.
        Stops at the first batch PostgreSQL does not take (the next round tries again)."""
        written = 0
        for path in await asyncio.to_thread(self._spool.pending):
            with self._spool.claim(path) as batch:
                if batch is None:
                    continue
                try:
                    async with asyncio.timeout(WRITE_TIMEOUT * 10), self._db.transaction() as conn:
                        if await queries.claim_click_batch(conn, batch.batch_id):
                            await queries.insert_click_rows(conn, batch.clicks)
                            written += len(batch.clicks)
                except (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError) as exc:
                    # PostgreSQL answers and refuses these rows: kept aside for a person, not retried forever
                    log.error("spooled clicks refused", extra={"file": str(path), "error": repr(exc)})
                    self._spool.set_aside(path)
                    continue
                self._spool.done(path)
        if written:
            self.drained += written
            log.warning("spooled clicks written to PostgreSQL", extra={"clicks": written})
        return written

    async def _drain_forever(self) -> None:
        pause = 1.0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._spooled.wait(), timeout=pause)
            self._spooled.clear()
            try:
                await self.drain()
                pause = 1.0
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.debug("spooled clicks wait for PostgreSQL", extra={"error": repr(exc)})
                pause = min(pause * 2, _DRAIN_PAUSE_MAX)
