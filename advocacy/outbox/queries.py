"""SQL for the outbox: writing rows, the relay's claims, and each row's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from advocacy.outbox.schemas import OutboxRow

_COLUMNS = "id, job, args, status, attempts, next_attempt_at, last_error, created_at, done_at"


async def insert_row(
    conn: asyncpg.Connection, job: str, args: dict[str, Any], dedupe_key: str | None
) -> int | None:
    row_id: int | None = await conn.fetchval(
        "INSERT INTO outbox (job, args, dedupe_key) VALUES ($1, $2, $3) ON CONFLICT (dedupe_key) DO NOTHING"
        " RETURNING id",
        job,
        args,
        dedupe_key,
    )
    await conn.execute("SELECT pg_notify('outbox', '')")
    return row_id


async def insert_rows(
    conn: asyncpg.Connection, job: str, args: list[dict[str, Any]], dedupe_keys: list[str | None]
) -> int:
    """Many rows of one job in one statement; a repeated dedupe key writes nothing. Returns how many were new."""
    status: str = await conn.execute(
        "INSERT INTO outbox (job, args, dedupe_key) SELECT $1, a.args, a.dedupe_key"
        " FROM unnest($2::jsonb[], $3::text[]) AS a(args, dedupe_key) ON CONFLICT (dedupe_key) DO NOTHING",
        job,
        args,
        dedupe_keys,
    )
    await conn.execute("SELECT pg_notify('outbox', '')")
    return int(status.split()[-1])


async def claim_due_rows(conn: asyncpg.Connection, limit: int, stale_seconds: float) -> list[tuple[int, str]]:
    """Pending rows that are due, plus enqueued ones whose queue entry may have been lost; marks them enqueued."""
    rows = await conn.fetch(
        """
        WITH due AS (
            SELECT id FROM outbox
            WHERE (status = 'pending' AND next_attempt_at <= now())
               OR (status = 'enqueued' AND enqueued_at < now() - make_interval(secs => $2))
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
        )
        UPDATE outbox o SET status = 'enqueued', enqueued_at = now() FROM due WHERE o.id = due.id
        RETURNING o.id, o.job
        """,
        limit,
        stale_seconds,
    )
    return [(r["id"], r["job"]) for r in rows]


async def release_rows(conn: asyncpg.Connection, ids: list[int]) -> None:
    """Put claimed rows back to pending (the queue could not take them)."""
    await conn.execute(
        "UPDATE outbox SET status = 'pending', enqueued_at = NULL WHERE id = ANY($1::bigint[]) AND status = 'enqueued'",
        ids,
    )


async def lock_row(conn: asyncpg.Connection, row_id: int) -> OutboxRow | None:
    """Lock the row for the job that runs it (a duplicate delivery waits, then sees it done)."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM outbox WHERE id = $1 FOR UPDATE", row_id)
    return msgspec.convert(row, OutboxRow) if row else None


async def mark_done(conn: asyncpg.Connection, row_id: int) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'done', done_at = now(), attempts = attempts + 1, last_error = NULL"
        " WHERE id = $1",
        row_id,
    )


async def mark_failed(
    conn: asyncpg.Connection, row_id: int, *, error: str, next_attempt_at: datetime, park: bool
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = $4,"
        " enqueued_at = NULL WHERE id = $1",
        row_id,
        "parked" if park else "pending",
        error[:2000],
        next_attempt_at,
    )


async def rows_page(
    conn: asyncpg.Connection, *, status: str | None, after_id: int | None, limit: int
) -> list[OutboxRow]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM outbox WHERE ($1::text IS NULL OR status = $1)"
        " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        status,
        after_id,
        limit,
    )
    return [msgspec.convert(r, OutboxRow) for r in rows]


async def retry_parked(conn: asyncpg.Connection, row_id: int) -> bool:
    status = await conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), enqueued_at = NULL"
        " WHERE id = $1 AND status = 'parked'",
        row_id,
    )
    await conn.execute("SELECT pg_notify('outbox', '')")
    return bool(status.endswith(" 1"))


async def counts_by_status(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
    return {r["status"]: r["n"] for r in rows}
