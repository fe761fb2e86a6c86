"""Incentives figures, each against a same-run baseline on a dedicated database:

- `points.ingest_per_s`: 100 000 point events through the outbox handler (`incentives.award`, batched,
  one worker) into the ledger, accounts, badges and every board; baseline: a plain executemany INSERT of
  the same rows into a bare table with the ledger's columns.
- `boards.read_rps`: GET /api/v1/boards (top 50 + my rank, visibility applied) served by uvicorn on
  loopback under wrk (another process); baseline: the same two Redis calls (ZREVRANGE 0 49 WITHSCORES,
  ZREVRANK) made directly, one after the other, from one client.
- `boards.rebuild_s`: every board rebuilt from a 1 000 000-row ledger; baseline: a plain COPY of the
  whole ledger out of PostgreSQL (every row leaves the server, nothing is computed).
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from redis.asyncio import Redis

from advocacy.auth.schemas import Principal, TokenCreate
from advocacy.auth.service import create_token
from advocacy.db.pool import Database, init_connection
from advocacy.incentives.boards import service as boards
from advocacy.incentives.boards.scores import board_key
from advocacy.incentives.ledger.service import events_to_args
from advocacy.incentives.schemas import PointEvent
from tests.bench._common import record
from tests.bench._database import BenchStores, bench_stores
from tests.bench._load import served, warm_then_measure
from workers.jobs.incentives import award as award_job

PEOPLE = 1_000
TEAMS = 20
EVENTS = 100_000
BATCH = 1_000
LEDGER_ROWS = 1_000_000


class _Settings:
    def __init__(self, namespace: str) -> None:
        self.redis_namespace = namespace


async def _seed_people(conn: asyncpg.Connection) -> list[int]:
    await conn.execute("INSERT INTO teams (name) SELECT 'Team ' || g FROM generate_series(1, $1) g", TEAMS)
    await conn.execute(
        "INSERT INTO people (email, display_name, team_id)"
        " SELECT 'p' || g || '@bench.example', 'Person ' || g, 1 + g % $2 FROM generate_series(1, $1) g",
        PEOPLE,
        TEAMS,
    )
    await conn.execute(
        "INSERT INTO ambassadors (person_id, status, accepted_at, visibility)"
        " SELECT id, 'opted_in', now(), (ARRAY['public','public','public','team_only','anonymous','hidden'])[1 + id % 6]"
        " FROM people"
    )
    return [r["id"] for r in await conn.fetch("SELECT id FROM people ORDER BY id")]


def _events(people: list[int]) -> list[PointEvent]:
    rng = random.Random(6)
    now = datetime.now(UTC)
    events = []
    for i in range(EVENTS):
        kind = rng.choices(["click", "share_published", "engagement", "kudos"], weights=[45, 30, 20, 5])[0]
        person = rng.choice(people)
        events.append(
            PointEvent(
                kind=kind,  # type: ignore[arg-type]
                person_id=person,
                network=rng.choice(["linkedin", "linkedin", "x", "facebook", "mastodon"]),
                campaign_id=None,
                source_type="share" if kind != "kudos" else "kudos",
                source_id=rng.randint(1, 20_000),
                quantity=rng.randint(1, 4),
                occurred_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 20)),
                idempotency_key=f"bench:{i}",
                points=5 if kind == "kudos" else None,
                reason="bench" if kind == "kudos" else None,
            )
        )
    return events


async def _ingest(stores: BenchStores, people: list[int]) -> tuple[float, float, int]:
    events = _events(people)
    batches = [events_to_args(events[i : i + BATCH]) for i in range(0, len(events), BATCH)]
    db = await Database.connect(stores.database_url, min_size=1, max_size=2)
    redis = Redis.from_url(stores.redis_url)
    ctx = {"redis": redis, "settings": _Settings(stores.namespace)}
    try:
        started = time.perf_counter()
        for args in batches:
            async with db.transaction() as conn:
                await award_job(conn, args, ctx)
        ours = time.perf_counter() - started
        async with db.connection() as conn:
            written = await conn.fetchval("SELECT count(*) FROM points_ledger")
            rows = await conn.fetch(
                "SELECT person_id, team_id, kind, points, held_points, quantity, network, campaign_id,"
                " source_type, source_id, rule_version, reason_code, note, idempotency_key, occurred_at"
                " FROM points_ledger ORDER BY id"
            )
            await conn.execute("CREATE TABLE bench_plain_ledger (LIKE points_ledger INCLUDING DEFAULTS)")
            await conn.execute("ALTER TABLE bench_plain_ledger ALTER COLUMN id DROP NOT NULL")
            values = [tuple(r) for r in rows]
            insert = (
                "INSERT INTO bench_plain_ledger (person_id, team_id, kind, points, held_points, quantity, network,"
                " campaign_id, source_type, source_id, rule_version, reason_code, note, idempotency_key,"
                " occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            )
            started = time.perf_counter()
            for start in range(0, len(values), BATCH):
                async with conn.transaction():
                    await conn.executemany(insert, values[start : start + BATCH])
            plain = time.perf_counter() - started
            await conn.execute("DROP TABLE bench_plain_ledger")
    finally:
        await db.close()
        await redis.aclose()
    return EVENTS / ours, len(values) / plain, int(written)


async def _token(stores: BenchStores, person_id: int) -> str:
    db = await Database.connect(stores.database_url, min_size=1, max_size=2)
    try:
        async with db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT public_id, email, display_name FROM people WHERE id = $1", person_id
            )
        principal = Principal(
            person_id=person_id, public_id=row["public_id"], email=row["email"], display_name=row["display_name"],
            language="fr", roles=frozenset({"employee"}), via="token",
        )  # fmt: skip
        return (await create_token(db, principal, TokenCreate(name="bench"), max_days=365)).token
    finally:
        await db.close()


async def _direct_redis(stores: BenchStores, person_id: int, seconds: float = 5.0) -> float:
    redis = Redis.from_url(stores.redis_url)
    key = board_key(stores.namespace, "all", "org")
    try:
        for _ in range(200):
            await redis.zrevrange(key, 0, 49, withscores=True)
            await redis.zrevrank(key, str(person_id))
        done = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            await redis.zrevrange(key, 0, 49, withscores=True)
            await redis.zrevrank(key, str(person_id))
            done += 1
        return done / (time.perf_counter() - started)
    finally:
        await redis.aclose()


async def _grow_ledger(stores: BenchStores, people: list[int]) -> int:
    """Fill the ledger to LEDGER_ROWS rows over a year (set-based; the triggers only refuse edits)."""
    conn = await asyncpg.connect(stores.database_url)
    try:
        have = await conn.fetchval("SELECT count(*) FROM points_ledger")
        missing = LEDGER_ROWS - have
        await conn.execute(
            """
            INSERT INTO points_ledger (person_id, team_id, kind, points, quantity, network, campaign_id,
                                       source_type, source_id, reason_code, idempotency_key, occurred_at)
            SELECT p.id, p.team_id, 'click', 1 + (g % 7), 1, 'linkedin',
                   CASE WHEN g % 10 < 3 THEN 1 + g % 5 END, 'share', g, 'click', 'grow:' || g,
                   now() - make_interval(secs => (g::bigint * 7919) % (365 * 86400))
            FROM generate_series(1, $1) g
            JOIN people p ON p.id = ($2::bigint[])[1 + g % $3]
            """,
            missing,
            people,
            len(people),
        )
        await conn.execute("ANALYZE points_ledger")
        return int(await conn.fetchval("SELECT count(*) FROM points_ledger"))
    finally:
        await conn.close()


async def _rebuild(stores: BenchStores) -> tuple[float, float, int]:
    conn = await asyncpg.connect(stores.database_url)
    await init_connection(conn)
    redis = Redis.from_url(stores.redis_url)
    try:
        sink = _Sink()
        started = time.perf_counter()
        await conn.copy_from_query("SELECT * FROM points_ledger", output=sink, format="binary")
        copy_s = time.perf_counter() - started
        started = time.perf_counter()
        count = await boards.rebuild(conn, redis, stores.namespace)
        rebuild_s = time.perf_counter() - started
        return rebuild_s, copy_s, count
    finally:
        await conn.close()
        await redis.aclose()


class _Sink:
    def __init__(self) -> None:
        self.size = 0

    async def __call__(self, chunk: bytes) -> None:
        self.size += len(chunk)


def main() -> None:
    with bench_stores() as stores:

        async def seed() -> list[int]:
            conn = await asyncpg.connect(stores.database_url)
            try:
                return await _seed_people(conn)
            finally:
                await conn.close()

        people = asyncio.run(seed())
        ours, plain, written = asyncio.run(_ingest(stores, people))
        print(f"   ledger rows written by {EVENTS:,} events: {written:,}")
        record("points.ingest_per_s", ours, "events/s", "plain executemany INSERT of the same rows", plain)

        viewer = people[6]  # public visibility
        token = asyncio.run(_token(stores, viewer))
        direct = asyncio.run(_direct_redis(stores, viewer))
        with served("tests.bench._apps:real_app", env=stores.env(DB_POOL_MAX="10")) as base:
            api = warm_then_measure(
                f"{base}/api/v1/boards?period=all&scope=org&limit=50",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert api.errors == 0, f"{api.errors} failed board reads"
        record("boards.read_rps", api.rps, "req/s", "same two Redis calls, direct, one client", direct)
        record("boards.read_p99_ms", api.p99_ms, "ms", "(no baseline: p99 of the API under wrk)", api.p99_ms)

        rows = asyncio.run(_grow_ledger(stores, people))
        rebuild_s, copy_s, count = asyncio.run(_rebuild(stores))
        print(f"   rebuilt {count:,} boards from {rows:,} ledger rows")
        record("boards.rebuild_s", rebuild_s, "s", "plain COPY of the ledger out (binary)", copy_s)


if __name__ == "__main__":
    main()
