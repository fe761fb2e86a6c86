"""The outbox: `enqueue` inside a unit of work, the relay to arq, and each delivery's bookkeeping.

A row is enqueued to arq with the job id `{namespace}:outbox:{id}`, so the queue never holds it twice;
the job locks the row and runs its handler in the same transaction that marks it done, so a duplicate
delivery finds it done and does nothing. Failures back off exponentially and park after N tries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from advocacy.core.errors import NotFound
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


def job_id(namespace: str, row_id: int) -> str:
    return f"{namespace}:outbox:{row_id}"


EnqueueFn = Callable[[int], Awaitable[None]]


class PermanentFailure(Exception):
    """Raised by a handler whose work can never succeed (a mail server's 5xx): the row is parked at once."""


# A row enqueued this long ago and still not done may have lost its queue entry (Redis restarted empty):
# it is enqueued again; the job id and the row lock make a second delivery harmless.
STALE_AFTER_SECONDS = 300.0


async def relay_once(
    db: Database, enqueue_job: EnqueueFn, *, batch: int = 500, stale_after: float = STALE_AFTER_SECONDS
) -> int:
    """Move due rows to the queue. If the queue is down the rows go back to pending and nothing is lost."""
    async with db.transaction() as conn:
        claimed = await queries.claim_due_rows(conn, batch, stale_after)
    sent: list[int] = []
    try:
        for row_id, _ in claimed:
            await enqueue_job(row_id)
            sent.append(row_id)
    except Exception as exc:
        unsent = [row_id for row_id, _ in claimed if row_id not in set(sent)]
        async with db.transaction() as conn:
            await queries.release_rows(conn, unsent)
        log.warning(
            "outbox relay could not reach the queue", extra={"error": repr(exc), "unsent": len(unsent)}
        )
        raise
    return len(sent)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 2 ** min(attempts, 12)))


async def run_row(
    db: Database, row_id: int, handlers: dict[str, Handler], ctx: dict[str, Any], *, max_attempts: int
) -> str:
    """Run one outbox row's handler exactly once in effect; returns what happened."""
    async with db.transaction() as conn:
        row = await queries.lock_row(conn, row_id)
        if row is None:
            return "missing"
        if row.status in ("done", "parked"):
            return row.status
        handler = handlers.get(row.job)
        try:
            if handler is None:
                raise LookupError(f"no handler for job {row.job!r}")
            async with conn.transaction():
                await handler(conn, row.args, ctx)
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
            raise NotFound(f"Outbox row {row_id} is not parked")


async def counts(db: Database) -> dict[str, int]:
    async with db.connection() as conn:
        return await queries.counts_by_status(conn)
