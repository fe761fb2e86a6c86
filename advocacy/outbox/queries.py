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


async def claim_due_rows(conn: asyncpg.Connection, limit: int) -> list[tuple[int, int]]:
    """Pending rows that are due, marked enqueued for their next delivery: (id, delivery number)."""
    rows = await conn.fetch(
        """
        WITH due AS (
            SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
        )
        UPDATE outbox o SET status = 'enqueued', enqueued_at = now(), deliveries = o.deliveries + 1
        FROM due WHERE o.id = due.id
        RETURNING o.id, o.deliveries
        """,
        limit,
    )
    return [(r["id"], r["deliveries"]) for r in rows]


async def lock_unfinished_rows(
    conn: asyncpg.Connection, limit: int, older_than_seconds: float
) -> list[tuple[int, int]]:
    """Enqueued rows not done since their last delivery this long ago (locked): (id, delivery number)."""
    rows = await conn.fetch(
        """
        SELECT id, deliveries FROM outbox
        WHERE status = 'enqueued' AND enqueued_at <= now() - make_interval(secs => $2)
        ORDER BY enqueued_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
        """,
        limit,
        older_than_seconds,
    )
    return [(r["id"], r["deliveries"]) for r in rows]


async def mark_delivered_again(conn: asyncpg.Connection, ids: list[int]) -> list[tuple[int, int]]:
    """A new delivery (and so a new job id) for each row: (id, delivery number)."""
    rows = await conn.fetch(
        "UPDATE outbox SET deliveries = deliveries + 1, enqueued_at = now()"
        " WHERE id = ANY($1::bigint[]) AND status = 'enqueued' RETURNING id, deliveries",
        ids,
    )
    return [(r["id"], r["deliveries"]) for r in rows]


async def touch_enqueued(conn: asyncpg.Connection, ids: list[int]) -> None:
    """Rows still waiting in the queue: looked at again one re-delivery period from now."""
    await conn.execute(
        "UPDATE outbox SET enqueued_at = now() WHERE id = ANY($1::bigint[]) AND status = 'enqueued'", ids
    )


async def redeliver_all_enqueued(conn: asyncpg.Connection) -> int:
    """Every row the queue held goes back to pending, due now (the queue lost them)."""
    status = await conn.execute(
        "UPDATE outbox SET status = 'pending', enqueued_at = NULL, next_attempt_at = now()"
        " WHERE status = 'enqueued'"
    )
    await conn.execute("SELECT pg_notify('outbox', '')")
    return int(status.split()[-1])


async def redis_incarnation(conn: asyncpg.Connection, *, lock: bool) -> tuple[str, str] | None:
    """(run_id, marker) of the Redis the workers last saw."""
    row = await conn.fetchrow(
        "SELECT run_id, marker FROM redis_incarnation" + (" FOR UPDATE" if lock else "")
    )
    return (row["run_id"], row["marker"]) if row else None


async def save_redis_incarnation(conn: asyncpg.Connection, run_id: str, marker: str) -> None:
    await conn.execute(
        "INSERT INTO redis_incarnation (id, run_id, marker) VALUES (1, $1, $2)"
        " ON CONFLICT (id) DO UPDATE SET run_id = $1, marker = $2, seen_at = now()",
        run_id,
        marker,
    )


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


async def try_lock_row(conn: asyncpg.Connection, row_id: int) -> tuple[bool, OutboxRow | None]:
    """(exists, row if it could be locked now): a row locked by a running delivery is not waited for."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM outbox WHERE id = $1 FOR UPDATE SKIP LOCKED", row_id)
    if row is not None:
        return True, msgspec.convert(row, OutboxRow)
    exists = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)", row_id)
    return bool(exists), None


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
