"""Figures at scale, on data sets built once and kept (tests/bench/_datasets.py; the first run builds them,
a few minutes):

- `content.feed_rps_100k`: GET /api/v1/feed as an ambassador over a library of 100 000 items (9 in 10
  approved, 95 % of those past their expiry: a few thousand live), against the bare Litestar route;
- `links.redirect_rps_10m`: /l/{code} with 10 000 000 clicks already stored over 100 000 tracked links,
  against the bare Litestar redirect; every answered click is checked to be stored;
- `reach.org_analytics_ms`: the organisation's analytics (GET /api/v1/analytics/organisation, the last
  30 days) over those clicks, median time of two answers in a row after one to warm up (at this scale an
  answer takes seconds), against one plain SQL count of the counted clicks of the shares of those 30 days
  (the least any such answer costs).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import asyncpg
import httpx

from advocacy.auth.schemas import Principal, TokenCreate
from advocacy.auth.service import create_token
from advocacy.db.pool import Database
from tests.bench._common import median, record
from tests.bench._database import BenchStores
from tests.bench._datasets import dataset
from tests.bench._load import Target, interleaved, served
from tests.bench.bench_feed import ambassador_token, at, build_library
from tests.bench.bench_links import check_every_answered_click_was_stored, measure_redirects

FEED_ITEMS = 100_000
CLICKS, LINKS, PEOPLE, TEAMS, ITEMS = 10_000_000, 100_000, 20_000, 200, 2_000
TARGET = "https://www.example.com/news/launch"
CODE = "scale0000000001"  # the first tracked link of the clicks data set
DAYS = 90


async def build_feed(conn: asyncpg.Connection) -> None:
    await build_library(conn, items=FEED_ITEMS, expired=0.95, lasting=timedelta(days=3650))


async def build_clicks(conn: asyncpg.Connection) -> None:
    """PEOPLE people, LINKS published shares with their tracked links over DAYS days, CLICKS clicks."""
    await conn.execute("INSERT INTO organisation (id, name) VALUES (1, 'Bench')")
    await conn.execute("INSERT INTO teams (name) SELECT 'team ' || n FROM generate_series(1, $1) n", TEAMS)
    await conn.execute(
        "INSERT INTO people (email, display_name, team_id) SELECT 'p' || n || '@bench.example',"
        " 'Person ' || n, 1 + n % $2 FROM generate_series(1, $1) n",
        PEOPLE,
        TEAMS,
    )
    await conn.execute("INSERT INTO person_roles (person_id, role) SELECT id, 'employee' FROM people")
    await conn.execute("INSERT INTO person_roles (person_id, role) VALUES (1, 'curator')")
    await conn.execute(
        "INSERT INTO ambassadors (person_id, status) SELECT id, 'opted_in' FROM people WHERE id % 3 <> 0"
    )
    await conn.execute(
        "INSERT INTO content_items (title, link, status) SELECT 'Item ' || n, $2 || '?n=' || n, 'approved'"
        " FROM generate_series(1, $1) n",
        ITEMS,
        TARGET,
    )
    await conn.execute(
        "INSERT INTO shares (person_id, content_item_id, network, status, language, caption, verdict,"
        " published_at, created_at)"
        " SELECT 1 + (n * 7) % $2, 1 + n % $3, (ARRAY['linkedin', 'x', 'mastodon', 'bluesky'])[1 + n % 4],"
        " 'published', 'fr', 'Bench', '{}', now() - (n % ($4 * 24)) * interval '1 hour',"
        " now() - (n % ($4 * 24)) * interval '1 hour'"
        " FROM generate_series(1, $1) n",
        LINKS,
        PEOPLE,
        ITEMS,
        DAYS,
    )
    await conn.execute(
        "INSERT INTO tracked_links (code, share_id, target) SELECT 'scale' || lpad(id::text, 10, '0'), id, $1"
        " FROM shares",
        TARGET,
    )
    # 1 M rows a statement: each is its own transaction, so a build cut short is noticed and redone. Loaded
    # with triggers off (the rollup's row trigger would upsert each counted click), then rolled up once.
    await conn.execute("SET session_replication_role = replica")
    for start in range(0, CLICKS, 1_000_000):
        await conn.execute(
            "INSERT INTO clicks (share_id, at, visitor_hash, counted, bot)"
            " SELECT 1 + (n * 7919) % $3, now() - (n % ($4 * 86400)) * interval '1 second',"
            " decode(md5(n::text), 'hex'), n % 10 < 7, n % 50 = 0"
            " FROM generate_series($1::bigint + 1, $2::bigint) n",
            start,
            start + 1_000_000,
            LINKS,
            DAYS,
        )
    await conn.execute("SET session_replication_role = DEFAULT")
    await conn.execute("SELECT rebuild_click_rollup()")


async def curator_token(stores: BenchStores) -> str:
    db = await Database.connect(stores.database_url, min_size=1, max_size=2)
    try:
        async with db.connection() as conn:
            row = await conn.fetchrow("SELECT id, public_id, email FROM people WHERE id = 1")
        assert row is not None
        principal = Principal(
            person_id=row["id"], public_id=row["public_id"], email=row["email"], display_name="Bench",
            language="fr", roles=frozenset({"curator", "employee"}), via="token",
        )  # fmt: skip
        return (await create_token(db, principal, TokenCreate(name="bench"), max_days=365)).token
    finally:
        await db.close()


async def aggregate_ms(stores: BenchStores, runs: int) -> float:
    """Median time of the plain aggregate the analytics answer cannot do with less."""
    conn = await asyncpg.connect(stores.database_url)
    try:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await conn.fetchval(
                "SELECT count(*) FROM clicks k JOIN shares s ON s.id = k.share_id"
                " WHERE s.created_at >= now() - interval '30 days' AND k.counted AND NOT k.bot"
            )
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    return median(samples)


def feed_100k() -> None:
    with dataset("feed100k", 1, build_feed) as stores:
        token = asyncio.run(ambassador_token(stores))
        feed_target = Target(url="/api/v1/feed", headers={"Authorization": f"Bearer {token}"})
        with (
            served("tests.bench._apps:bare_app") as bare_base,
            served("tests.bench._apps:real_app", env=stores.env(DATA_DIR="/tmp/advocacy-bench-data")) as base,
        ):
            feed, bare = interleaved(at(base, feed_target), Target(url=f"{bare_base}/bare"))
    assert feed.errors == 0, "failed requests on /api/v1/feed"
    record("content.feed_rps_100k", feed.rps, "req/s", "bare Litestar route rps", bare.rps)


def clicks_10m() -> None:
    with dataset("clicks10m", 1, build_clicks) as stores:
        measured = measure_redirects(stores, CODE, TARGET, rounds=3)
        check_every_answered_click_was_stored(measured, rounds=3)
        record(
            "links.redirect_rps_10m", measured.links.rps, "req/s", "bare Litestar redirect from a dict",
            measured.bare.rps,
        )  # fmt: skip
        token = asyncio.run(curator_token(stores))
        with served("tests.bench._apps:real_app", env=stores.env()) as base:
            answers = answer_ms(f"{base}/api/v1/analytics/organisation", {"Authorization": f"Bearer {token}"})
        baseline = asyncio.run(aggregate_ms(stores, runs=len(answers)))
    record(
        "reach.org_analytics_ms", median(answers), "ms",
        "one SQL count of the 30 days' shares' counted clicks", baseline,
    )  # fmt: skip


def answer_ms(url: str, headers: dict[str, str], runs: int = 2) -> list[float]:
    """Times of `runs` answers one after the other (after one to warm up); each must be a 200."""
    samples = []
    with httpx.Client(headers=headers, timeout=900) as client:
        for index in range(runs + 1):
            started = time.perf_counter()
            response = client.get(url)
            assert response.status_code == 200, response.text
            if index:
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    feed_100k()
    clicks_10m()


if __name__ == "__main__":
    main()
