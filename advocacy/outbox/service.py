"""The outbox: `enqueue` inside a unit of work, the relay to arq, and each delivery's bookkeeping.

Each delivery of a row to arq has its own job id `{namespace}:outbox:{id}:{delivery}`; the job locks the
row and runs its handler in the same transaction that marks it done, so a second delivery finds it done
(or being run) and does nothing. Failures and timeouts back off exponentially and park after N tries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import asyncpg

from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.outbox import queries
from advocacy.outbox.schemas import OutboxRow

log = logging.getLogger("advocacy.outbox")

RUN_OUTBOX_JOB = "run_outbox_row"
# A handler gets the row's transaction and its args; what it writes commits with the row's "done".
Handler = Callable[[asyncpg.Connection, dict[str, Any], dict[str, Any]], Awaitable[None]]


async def enqueue(
    conn: asyncpg.Connection, job: str, args: dict[str, Any] | None = None, *, dedupe_key: str | None = None
) -> int | None:
    """Write work to the outbox in the caller's transaction; a repeated dedupe_key writes nothing."""
    return await queries.insert_row(conn, job, args or {}, dedupe_key)


async def enqueue_many(
    conn: asyncpg.Connection, job: str, args: list[dict[str, Any]], *, dedupe_keys: list[str | None]
) -> int:
    """Write many rows of one job in the caller's transaction, in one statement (a batch of mail)."""
    return await queries.insert_rows(conn, job, args, dedupe_keys)


def job_id(namespace: str, row_id: int, delivery: int) -> str:
    """One arq job id per delivery: a row delivered again is not absorbed by its earlier job's id."""
    return f"{namespace}:outbox:{row_id}:{delivery}"


class Queue(Protocol):
    """Where the relay delivers rows (arq in the workers)."""

    async def enqueue(self, row_id: int, delivery: int) -> None: ...

    async def waiting(self, deliveries: list[tuple[int, int]]) -> set[int]:
        """The rows among (row id, delivery) whose job is queued and not started yet."""
        ...


class PermanentFailure(Exception):
    """Raised by a handler whose work can never succeed (a mail server's 5xx): the row is parked at once."""


# A row delivered this long ago and still not done is delivered again under a new job id, unless its job
# is still waiting in the queue: its worker may have been killed (arq would hold the job for its whole
# timeout) or Redis may have lost it. The row lock keeps a second delivery harmless.
REDELIVER_AFTER_SECONDS = 60.0


async def relay_once(
    db: Database, queue: Queue, *, batch: int = 500, redeliver_after: float = REDELIVER_AFTER_SECONDS
) -> int:
    """Deliver due rows, and deliver again rows whose delivery went nowhere. If the queue is down the rows
    go back to pending and nothing is lost; returns the deliveries made."""
    async with db.transaction() as conn:
        claimed = await queries.claim_due_rows(conn, batch)
    sent = await _deliver(db, queue, claimed)
    async with db.transaction() as conn:
        unfinished = await queries.lock_unfinished_rows(conn, batch, redeliver_after)
        if not unfinished:
            return sent
        waiting = await queue.waiting(unfinished)
        await queries.touch_enqueued(conn, [row_id for row_id, _ in unfinished if row_id in waiting])
        again = await queries.mark_delivered_again(
            conn, [row_id for row_id, _ in unfinished if row_id not in waiting]
        )
    if again:
        log.info("outbox rows delivered again", extra={"rows": len(again)})
    return sent + await _deliver(db, queue, again)


async def _deliver(db: Database, queue: Queue, rows: list[tuple[int, int]]) -> int:
    sent: set[int] = set()
    try:
        for row_id, delivery in rows:
            await queue.enqueue(row_id, delivery)
            sent.add(row_id)
    except Exception as exc:
        unsent = [row_id for row_id, _ in rows if row_id not in sent]
        async with db.transaction() as conn:
            await queries.release_rows(conn, unsent)
        log.debug("outbox relay could not reach the queue", extra={"error": repr(exc), "unsent": len(unsent)})
        raise
    return len(sent)


async def note_queue_incarnation(
    db: Database, run_id: str, marker: str, on_change: Callable[[asyncpg.Connection], Awaitable[None]]
) -> bool:
    """Record which Redis the queue is (its run_id and marker key). When it differs from the one seen last,
    Redis restarted or lost its data: every row it held is delivered again at once and `on_change` runs in
    the same transaction, exactly once whichever worker notices first. Returns whether it changed."""
    async with db.transaction() as conn:
        known = await queries.redis_incarnation(conn, lock=True)
        if known == (run_id, marker):
            return False
        await queries.save_redis_incarnation(conn, run_id, marker)
        if known is None:
            return False  # the first Redis ever seen: nothing to compare with
        again = await queries.redeliver_all_enqueued(conn)
        await on_change(conn)
    log.warning(
        "the queue's Redis restarted or lost its data: rows delivered again",
        extra={"rows": again, "run_id": run_id},
    )
    return True


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 2 ** min(attempts, 12)))


# How long a handler may run before its delivery counts as a failure (retried with backoff, then parked);
# a job kind that needs longer names its own limit (see workers/jobs). arq's own timeout sits above these.
DEFAULT_JOB_TIMEOUT_SECONDS = 60.0


async def run_row(
    db: Database,
    row_id: int,
    handlers: dict[str, Handler],
    ctx: dict[str, Any],
    *,
    max_attempts: int,
    timeouts: Mapping[str, float] | None = None,
) -> str:
    """Run one outbox row's handler exactly once in effect; returns what happened ("busy": another
    delivery of the row is running it now)."""
    async with db.transaction() as conn:
        exists, row = await queries.try_lock_row(conn, row_id)
        if row is None:
            return "busy" if exists else "missing"
        if row.status in ("done", "parked"):
            return row.status
        handler = handlers.get(row.job)
        limit = (timeouts or {}).get(row.job, DEFAULT_JOB_TIMEOUT_SECONDS)
        try:
            if handler is None:
                raise LookupError(f"no handler for job {row.job!r}")
            deadline = asyncio.timeout(limit)
            try:
                async with conn.transaction(), deadline:
                    await handler(conn, row.args, ctx)
            except TimeoutError:
                if deadline.expired():
                    raise TimeoutError(f"the job took longer than its {limit:g} s") from None
                raise
        except Exception as exc:
            attempts = row.attempts + 1
            park = attempts >= max_attempts or isinstance(exc, LookupError | PermanentFailure)
            await queries.mark_failed(
                conn,
                row_id,
                error=f"{type(exc).__name__}: {exc}",
                next_attempt_at=datetime.now(UTC) + backoff(attempts),
                park=park,
            )
            log.warning(
                "outbox job failed",
                extra={
                    "row": row_id,
                    "job": row.job,
                    "attempts": attempts,
                    "parked": park,
                    "error": repr(exc),
                },
            )
            return "parked" if park else "failed"
        await queries.mark_done(conn, row_id)
        return "done"


async def list_rows(db: Database, *, status: str | None, after_id: int | None, limit: int) -> list[OutboxRow]:
    async with db.connection() as conn:
        return await queries.rows_page(conn, status=status, after_id=after_id, limit=limit)


async def retry(db: Database, row_id: int) -> None:
    async with db.transaction() as conn:
        if not await queries.retry_parked(conn, row_id):
            raise NotFound(lazy_gettext("Outbox row %(row_id)s is not parked", row_id=row_id))


async def counts(db: Database) -> dict[str, int]:
    async with db.connection() as conn:
        return await queries.counts_by_status(conn)
