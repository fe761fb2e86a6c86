"""The web pages of a signed-in employee with the feed bench's data set (50 000 items, 20 000 people, 200
teams), against the bare Litestar route served the same way in the same run:

- `web.feed_page_rps` / `web.feed_page_p99_ms`: the feed page (GET /feed, HTML, session cookie) under load,
  measured in alternation (median of three rounds each). The page comes from the same feed cache as
  GET /api/v1/feed, then is rendered by Jinja;
- `web.dashboard_ms`: the employee's home page (GET /) with their points, rank and shares in place (every
  ambassador with ledger rows and boards, the viewer with 200 shares), the median of one client's requests
  one after the other, against the bare route's median measured the same way, in alternation.
"""

from __future__ import annotations

import asyncio

import asyncpg
from redis.asyncio import Redis

from advocacy.db.pool import Database, init_connection
from advocacy.identity.sessions import start_session
from advocacy.incentives.boards import service as boards
from tests.bench._common import median, record
from tests.bench._database import BenchStores, bench_stores
from tests.bench._load import Target, interleaved, served, wrk
from tests.bench.bench_feed import at, seed

SHARES_OF_VIEWER = 200
LEDGER_ROWS_EACH = 10


async def session_of_first_ambassador(stores: BenchStores) -> str:
    """A web session (its cookie value) for the ambassador whose token the feed bench uses."""
    db = await Database.connect(stores.database_url, min_size=1, max_size=1)
    try:
        async with db.transaction() as conn:
            person_id = await conn.fetchval(
                "SELECT p.id FROM people p JOIN ambassadors a ON a.person_id = p.id ORDER BY p.id LIMIT 1"
            )
            started = await start_session(conn, person_id, hours=12)
        return started.token
    finally:
        await db.close()


async def seed_points_and_shares(stores: BenchStores) -> None:
    """Ledger rows and accounts for every ambassador, the boards rebuilt from them, and the first
    ambassador's published shares."""
    conn = await asyncpg.connect(stores.database_url)
    await init_connection(conn)
    redis = Redis.from_url(stores.redis_url)
    try:
        await conn.execute(
            "INSERT INTO points_ledger (person_id, team_id, kind, points, network, source_type, source_id,"
            " reason_code, idempotency_key, occurred_at)"
            " SELECT p.id, p.team_id, 'share_published', 5 + (p.id * 7 + n) % 20, 'linkedin', 'share', n,"
            " 'share_published', 'bench:' || p.id || ':' || n, now() - n * interval '1 day'"
            " FROM people p JOIN ambassadors a ON a.person_id = p.id, generate_series(1, $1) n",
            LEDGER_ROWS_EACH,
        )
        await conn.execute(
            "INSERT INTO points_accounts (person_id, balance, earned, shares)"
            " SELECT person_id, sum(points), sum(points), count(*) FROM points_ledger GROUP BY person_id"
        )
        viewer = await conn.fetchval(
            "SELECT p.id FROM people p JOIN ambassadors a ON a.person_id = p.id ORDER BY p.id LIMIT 1"
        )
        await conn.execute(
            "INSERT INTO shares (person_id, content_item_id, network, status, language, caption, verdict,"
            " published_at, created_at)"
            " SELECT $1, id, 'linkedin', 'published', 'fr', 'Bench', '{}', now() - id * interval '1 hour',"
            " now() - id * interval '1 hour' FROM content_items WHERE status = 'approved' ORDER BY id LIMIT $2",
            viewer,
            SHARES_OF_VIEWER,
        )
        await conn.execute("ANALYZE")
        await boards.rebuild(conn, redis, stores.namespace)
    finally:
        await redis.aclose()
        await conn.close()


def sequential_median_ms(
    page: Target, bare: Target, *, rounds: int = 3, seconds: int = 3
) -> tuple[float, float]:
    """Median latency of one client's requests one after the other (wrk, one connection), page and bare
    route in alternation; the median of each side's rounds."""
    wrk(bare.url, seconds=1, connections=1, headers=bare.headers)
    wrk(page.url, seconds=1, connections=1, headers=page.headers)
    pages, bares = [], []
    for _ in range(rounds):
        bares.append(wrk(bare.url, seconds=seconds, connections=1, headers=bare.headers).p50_ms)
        run = wrk(page.url, seconds=seconds, connections=1, headers=page.headers)
        assert run.errors == 0, "failed requests on the home page"
        pages.append(run.p50_ms)
    return median(pages), median(bares)


def main() -> None:
    with bench_stores() as stores:
        asyncio.run(seed(stores))
        asyncio.run(seed_points_and_shares(stores))
        session = asyncio.run(session_of_first_ambassador(stores))
        cookie = {"Cookie": f"advocacy_session={session}", "Accept-Language": "fr"}
        app_env = stores.env(STORAGE="local", DATA_DIR="/tmp/advocacy-bench-data")
        with served("tests.bench._apps:bare_app") as bare_base:
            bare_target = Target(url=f"{bare_base}/bare")
            with served("tests.bench._apps:real_app", env=app_env) as base:
                feed_page, bare = interleaved(at(base, Target(url="/feed", headers=cookie)), bare_target)
                home_ms, bare_ms = sequential_median_ms(
                    at(base, Target(url="/", headers=cookie)), bare_target
                )
    assert feed_page.errors == 0, "failed requests on /feed"
    record("web.feed_page_rps", feed_page.rps, "req/s", "bare Litestar route rps", bare.rps)
    record("web.feed_page_p99_ms", feed_page.p99_ms, "ms", "bare Litestar route p99", bare.p99_ms)
    record("web.dashboard_ms", home_ms, "ms", "bare Litestar route median ms, one client", bare_ms)


if __name__ == "__main__":
    main()
