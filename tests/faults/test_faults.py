"""Faults injected into a running cluster (two APIs, two workers, one PostgreSQL, one Redis: see harness.py)
while tracked-link clicks flow through both APIs; afterwards the books must hold: every answered click is
stored exactly once, its points are in the ledger exactly once, and the boards equal a rebuild (issue 12).

Bounded for `make test`: outages of a few seconds, a few hundred clicks, the redelivery period at 5 s."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest
from arq.constants import in_progress_key_prefix
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.anti_gaming.schemas import AntiGaming
from advocacy.incentives.anti_gaming.service import set_anti_gaming
from advocacy.incentives.boards.service import board_snapshot, rebuild
from advocacy.incentives.ledger.service import AWARD_JOB, events_to_args
from advocacy.incentives.schemas import PointEvent
from advocacy.links.visitors import VisitorHasher
from advocacy.outbox.service import enqueue, job_id
from tests.factories import Factory, Someone
from tests.faults.harness import NAMESPACE, SECRET_KEY, Cluster, eventually
from tests.integration.content.conftest import Library
from tests.integration.shares.conftest import LINK

pytestmark = pytest.mark.slow

SHARES = 20  # clicks spread so that no link reaches its 50-click cap over the whole module
_visitors = itertools.count(1)


class World:
    def __init__(self, cluster: Cluster, db: Database, redis: Redis, codes: list[str]) -> None:
        self.cluster = cluster
        self.db = db
        self.redis = redis
        self.codes = codes


class Clicks:
    """What the visitors saw: (status, address, user agent) per click; None when no answer came."""

    def __init__(self) -> None:
        self.seen: list[tuple[int | None, str, str]] = []

    @property
    def redirected(self) -> list[tuple[str, str]]:
        return [(address, agent) for status, address, agent in self.seen if status == 302]


async def drive(world: World, clicks: Clicks, *, count: int, per_second: float) -> None:
    """`count` clicks from distinct visitors, spread over both APIs and every link, at about `per_second`."""
    limits = httpx.Limits(max_connections=20, keepalive_expiry=30)  # below the server's keep-alive
    clients = [httpx.AsyncClient(base_url=url, timeout=10, limits=limits) for url in world.cluster.api_urls]
    pending: set[asyncio.Task[None]] = set()

    async def one(client: httpx.AsyncClient, code: str) -> None:
        n = next(_visitors)
        address, agent = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", f"Mozilla/5.0 (Visitor {n})"
        try:
            response = await client.get(
                f"/l/{code}",
                headers={"User-Agent": agent, "X-Forwarded-For": address},
                follow_redirects=False,
            )
            status: int | None = response.status_code
        except httpx.HTTPError:
            status = None
        clicks.seen.append((status, address, agent))

    try:
        started = time.monotonic()
        for i in range(count):
            await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
            task = asyncio.create_task(one(clients[i % 2], world.codes[i % len(world.codes)]))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
    finally:
        for client in clients:
            await client.aclose()


async def check_books(world: World, clicks: Clicks) -> None:
    """Every redirected click stored once; all settled and paid once; boards equal to a rebuild."""
    hasher = VisitorHasher(SECRET_KEY)
    day = datetime.now(UTC).date()
    expected = [hasher.hash(day, address, agent) for address, agent in clicks.redirected]
    assert expected, "no click was redirected"

    async def stored() -> Counter[bytes]:
        async with world.db.connection() as conn:
            rows = await conn.fetch("SELECT visitor_hash FROM clicks")
        return Counter(bytes(r["visitor_hash"]) for r in rows)

    async def all_stored() -> bool:  # spooled clicks are drained within seconds of PostgreSQL's return
        have = await stored()
        return all(have[h] >= 1 for h in expected)

    await eventually(all_stored, within=30, what="every redirected click is in PostgreSQL")
    have = await stored()
    assert [h for h in expected if have[h] != 1] == [], "a redirected click was stored twice"
    assert [h for h, n in have.items() if n > 1] == []

    async def settled_and_paid() -> bool:
        async with world.db.connection() as conn:
            unsettled = await conn.fetchval("SELECT count(*) FROM clicks WHERE counted IS NULL")
            open_rows = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE status IN ('pending', 'enqueued')"
            )
        return unsettled == 0 and open_rows == 0

    await eventually(settled_and_paid, within=60, what="clicks settled and every outbox row done")
    async with world.db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE status = 'parked'") == 0
        unpaid = await conn.fetch(
            """
            SELECT s.id, count(c.id) FILTER (WHERE c.counted) AS counted,
                   (SELECT coalesce(sum(l.points), 0) FROM points_ledger l
                    WHERE l.kind = 'click' AND l.source_type = 'share' AND l.source_id = s.id) AS points
            FROM shares s LEFT JOIN clicks c ON c.share_id = s.id GROUP BY s.id
            """
        )
    assert [(r["id"], r["counted"], r["points"]) for r in unpaid if r["counted"] != r["points"]] == []
    assert await boards_equal_a_rebuild(world)


async def all_boards(redis: Redis) -> dict[str, list[tuple[str, float]]]:
    keys = sorted([k.decode() async for k in redis.scan_iter(match=f"{NAMESPACE}:board:*")])
    return {k: await board_snapshot(redis, k) for k in keys}


async def boards_equal_a_rebuild(world: World) -> bool:
    before = await all_boards(world.redis)
    async with world.db.connection() as conn:
        await rebuild(conn, world.redis, NAMESPACE)
    after = await all_boards(world.redis)
    assert before == after
    return bool(after)


@pytest.fixture(scope="module")
async def world() -> AsyncIterator[World]:
    cluster = Cluster()
    try:
        await cluster.prepare()
        db = await Database.connect(cluster.database_url, min_size=1, max_size=4)
        redis = Redis.from_url(cluster.redis.url)
        factory = Factory(db)
        await factory.charter()
        hr = await factory.person("hr")
        # the load is a few visitors' worth of clicks per second on each link: not what the check is about
        await set_anti_gaming(db, AntiGaming(enabled=False), hr.person_id)
        await cluster.start()
        codes = await _links(cluster, db, factory)
        yield World(cluster, db, redis, codes)
        await redis.aclose()
        await db.close()
    except BaseException:
        print(cluster.logs())
        raise
    finally:
        cluster.close()


async def _links(cluster: Cluster, db: Database, factory: Factory) -> list[str]:
    library = Library(db, factory)
    item = await library.approved(link=LINK)
    codes = []
    async with httpx.AsyncClient(base_url=cluster.api_urls[0], timeout=20) as api:
        for _ in range(SHARES):
            someone: Someone = await factory.person("employee", ambassador=True)
            response = await api.post(
                "/api/v1/shares",
                json={"item": str(item.id), "network": "x", "caption": "Bonne nouvelle pour nos clients"},
                headers=someone.headers,
            )
            assert response.status_code == 201, response.text
            codes.append(urlsplit(response.json()["link"]).path.rsplit("/", 1)[-1])
    return codes


@pytest.fixture
async def healthy(world: World) -> World:
    """Each test starts from a cluster whose every part runs (a test may have killed one)."""
    cluster = world.cluster
    for service in (*cluster.apis, *cluster.workers):
        if not service.alive():
            service.start()
    await cluster.wait_ready()
    return world


async def test_clicks_answered_while_postgresql_is_down_are_all_stored_once(healthy: World) -> None:
    clicks = Clicks()
    load = asyncio.create_task(drive(healthy, clicks, count=300, per_second=90))
    await asyncio.sleep(1.0)
    healthy.cluster.postgres.crash()  # down for about 2 s: longer than any retry
    await asyncio.sleep(2.0)
    healthy.cluster.postgres.start()
    await load
    statuses = Counter(status for status, _, _ in clicks.seen)
    assert statuses[302] >= 250, statuses  # visitors were sent on throughout (spooled, then drained)
    assert all(s in (302, 503) for s in statuses), statuses
    await check_books(healthy, clicks)
    assert all(api.alive() for api in healthy.cluster.apis)
    assert all(worker.alive() for worker in healthy.cluster.workers)
    # a connection used by two coroutines at once shows as this after a restart (the charter refresher did)
    assert "another operation is in progress" not in healthy.cluster.logs(), healthy.cluster.logs()


async def test_workers_ride_out_a_redis_outage_and_what_redis_lost_comes_back_by_itself(
    healthy: World,
) -> None:
    cluster = healthy.cluster
    clicks = Clicks()
    load = asyncio.create_task(drive(healthy, clicks, count=160, per_second=80))
    await asyncio.sleep(0.8)
    cluster.redis.kill()
    await eventually(
        lambda: _async(not any(p.exists() for p in cluster.ready_files)),
        within=10,
        what="both workers report themselves unready",
    )
    await asyncio.sleep(2.0)
    assert all(worker.alive() for worker in cluster.workers), cluster.logs()
    cluster.redis.start()  # back empty: queue, boards and fold markers gone
    await load
    await eventually(cluster.workers_ready, within=20, what="both workers ready again by themselves")
    assert sum(status == 302 for status, _, _ in clicks.seen) == len(clicks.seen)  # Redis plays no part
    await check_books(healthy, clicks)
    for worker in cluster.workers:
        assert worker.output().count("worker cannot reach Redis") <= 2  # once per outage, not per poll


async def test_a_row_whose_worker_died_mid_job_runs_again_within_the_redelivery_period(
    healthy: World,
) -> None:
    cluster = healthy.cluster
    person = await Factory(healthy.db).person("employee", ambassador=True)
    event = PointEvent(
        kind="kudos",
        person_id=person.person_id,
        source_type="kudos",
        source_id=1,
        occurred_at=datetime.now(UTC),
        idempotency_key=f"faults:kudos:{person.person_id}",
        points=7,
    )
    # The state a worker killed mid-job leaves: the row delivered, its arq job held "in progress".
    async with healthy.db.transaction() as conn:
        row_id = await enqueue(conn, AWARD_JOB, events_to_args([event]))
        await conn.execute(
            "UPDATE outbox SET status = 'enqueued', enqueued_at = now(), deliveries = 1 WHERE id = $1", row_id
        )
    assert row_id is not None
    held = job_id(NAMESPACE, row_id, 1)
    await healthy.redis.psetex(in_progress_key_prefix + held, 600_000, b"1")
    started = time.monotonic()

    async def done() -> bool:
        async with healthy.db.connection() as conn:
            return bool(await conn.fetchval("SELECT status = 'done' FROM outbox WHERE id = $1", row_id))

    await eventually(done, within=15, what="the row runs again (redelivery period 5 s here, 60 s by default)")
    assert time.monotonic() - started >= 4  # not before its period: a slow job is not run twice at once
    async with healthy.db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM points_ledger WHERE person_id = $1", person.person_id)
            == 1
        )

    # and a real kill under load: the survivor and the restarted worker settle everything once
    clicks = Clicks()
    load = asyncio.create_task(drive(healthy, clicks, count=160, per_second=80))
    await asyncio.sleep(1.0)
    cluster.workers[0].kill()
    await load
    await check_books(healthy, clicks)


async def test_an_idle_keep_alive_connection_is_kept_longer_than_a_load_balancer_keeps_it(
    healthy: World,
) -> None:
    port = healthy.cluster.ports[1]
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        assert (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).startswith(b"HTTP/1.1 200")
        await reader.read(64)  # the small body
        # uvicorn's default (5 s) closes here, while a balancer (60 s idle) would still send on it
        await asyncio.sleep(6)
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert answer.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
        with contextlib.suppress(OSError, socket.error):
            await writer.wait_closed()


async def _async(value: bool) -> bool:
    return value
