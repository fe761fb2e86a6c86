"""`web.feed_page_rps` / `web.feed_page_p99_ms`: the feed page (GET /feed, HTML) as a signed-in employee
(session cookie) with the feed bench's data set (50 000 items, 20 000 people, 200 teams), against the bare
Litestar route served the same way in the same run, measured in alternation (median of three rounds each).
The page comes from the same feed cache as GET /api/v1/feed, then is rendered by Jinja."""

from __future__ import annotations

import asyncio

from advocacy.db.pool import Database
from advocacy.identity.sessions import start_session
from tests.bench._common import record
from tests.bench._database import BenchStores, bench_stores
from tests.bench._load import Target, interleaved, served
from tests.bench.bench_feed import at, seed


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


def main() -> None:
    with bench_stores() as stores:
        asyncio.run(seed(stores))
        session = asyncio.run(session_of_first_ambassador(stores))
        page = Target(url="/feed", headers={"Cookie": f"advocacy_session={session}", "Accept-Language": "fr"})
        app_env = stores.env(STORAGE="local", DATA_DIR="/tmp/advocacy-bench-data")
        with served("tests.bench._apps:bare_app") as bare_base:
            bare_target = Target(url=f"{bare_base}/bare")
            with served("tests.bench._apps:real_app", env=app_env) as base:
                feed_page, bare = interleaved(at(base, page), bare_target)
    assert feed_page.errors == 0, "failed requests on /feed"
    record("web.feed_page_rps", feed_page.rps, "req/s", "bare Litestar route rps", bare.rps)
    record("web.feed_page_p99_ms", feed_page.p99_ms, "ms", "bare Litestar route p99", bare.p99_ms)


if __name__ == "__main__":
    main()
