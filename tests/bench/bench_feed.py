"""`content.feed_rps` / `content.feed_p99_ms`: GET /api/v1/feed with a bearer token, 50 000 items,
20 000 people and 200 teams seeded (COPY/unnest into a throwaway database), against a bare Litestar
route served the same way in the same run, measured in alternation (median of three rounds each).

The figure is the feed as readers meet it most: a page already cached for their audience (see
content_library/feed/cache.py); `content.feed_uncached_rps` is the same load with the cache off
(FEED_CACHE_SECONDS=0), every request reading PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from advocacy.auth.schemas import Principal, TokenCreate
from advocacy.auth.service import create_token
from advocacy.db.pool import Database
from tests.bench._common import record
from tests.bench._database import BenchStores, bench_stores
from tests.bench._load import Target, interleaved, served

ITEMS, PEOPLE, TEAMS = 50_000, 20_000, 200
WITH_IMAGES = 5_000
LOCATIONS = ["paris", "lyon", "london", "berlin", "madrid"]
RENDITIONS = [("link", 1200, 627), ("x", 1600, 900), ("square", 1080, 1080), ("portrait", 1080, 1350),
              ("story", 1080, 1920), ("thumbnail", 400, 250)]  # fmt: skip


async def seed(stores: BenchStores) -> str:
    """Seed the library and people; return a token of an opted-in ambassador."""
    conn = await asyncpg.connect(stores.database_url)
    try:
        async with conn.transaction():
            await build_library(conn, items=ITEMS, expired=0.1)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return await ambassador_token(stores)


async def build_library(
    conn: asyncpg.Connection, *, items: int, expired: float, lasting: timedelta = timedelta(days=30)
) -> None:
    """An organisation, PEOPLE people in TEAMS teams (half of them ambassadors), and `items` content items
    (9 in 10 approved; the share `expired` of them past their expiry) with captions, images and renditions."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    await conn.execute("INSERT INTO organisation (id, name) VALUES (1, 'Bench')")
    await conn.execute("INSERT INTO teams (name) SELECT 'team ' || n FROM generate_series(1, $1) n", TEAMS)
    await conn.copy_records_to_table(
        "people",
        columns=["email", "display_name", "team_id", "location", "language"],
        records=[
            (f"p{n}@bench.example", f"Person {n}", rng.randint(1, TEAMS), rng.choice(LOCATIONS).title(),
             "fr" if rng.random() < 0.6 else "en")
            for n in range(PEOPLE)
        ],
    )  # fmt: skip
    await conn.execute("INSERT INTO person_roles (person_id, role) SELECT id, 'employee' FROM people")
    charter_id = await conn.fetchval(
        "INSERT INTO charters (version, status, title, body_fr, body_en, activated_at)"
        " VALUES (1, 'active', 'c', 'fr', 'en', now()) RETURNING id"
    )
    await conn.execute(
        "INSERT INTO ambassadors (person_id, status, charter_id, accepted_at, expires_at)"
        " SELECT id, 'opted_in', $1, now(), now() + interval '1 year' FROM people WHERE id % 2 = 0",
        charter_id,
    )
    await conn.execute(
        "INSERT INTO campaigns (slug, name) SELECT 'campaign-' || n, 'Campaign ' || n"
        " FROM generate_series(1, 10) n"
    )
    rows = []
    for n in range(items):
        roll = rng.random()
        teams = rng.sample(range(1, TEAMS + 1), 3) if roll < 0.2 else []
        languages = [rng.choice(["fr", "en"])] if 0.2 <= roll < 0.3 else []
        locations = [rng.choice(LOCATIONS)] if 0.3 <= roll < 0.35 else []
        starts = now - timedelta(minutes=items - n)
        expires = starts + timedelta(seconds=30) if rng.random() < expired else now + lasting
        status = "approved" if rng.random() < 0.9 else "draft"
        rows.append(
            (f"Post {n} sur la rentrée", f"https://example.com/{n}", status, starts, expires,
             n % 997 == 0, teams, locations, languages, ["fr", "en"], [rng.choice(["rh", "produit", "rse"])],
             rng.randint(1, 10), starts)
        )  # fmt: skip
    await conn.copy_records_to_table(
        "content_items",
        columns=["title", "link", "status", "starts_at", "expires_at", "pinned", "audience_team_ids",
                 "audience_locations", "audience_languages", "languages", "tags", "campaign_id",
                 "approved_at"],
        records=rows,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO content_captions (item_id, network, language, body)"
        " SELECT id, NULL, 'fr', 'Découvrez ' || title FROM content_items"
        " UNION ALL SELECT id, NULL, 'en', 'Discover ' || title FROM content_items"
        " UNION ALL SELECT id, 'x', 'fr', title || ' #rentree' FROM content_items"
    )
    await conn.execute(
        "INSERT INTO content_assets (item_id, storage_key, content_type, size_bytes, etag, width, height,"
        " source_type, phash, placeholder, renditions_state)"
        " SELECT id, 'images/ab/' || md5(id::text) || '.jpg', 'image/jpeg', 100000, '\"e\"', 1600, 1000,"
        " 'jpeg', '0000000000000000', '{\"blurhash\": \"LEHV6nWB2yk8pyo0adR*.7kCMdnj\","
        ' "dominant_color": "#336699"}\', \'ready\''
        " FROM content_items ORDER BY random() LIMIT $1",
        WITH_IMAGES,
    )
    await conn.execute(
        "INSERT INTO content_renditions (asset_id, name, format, width, height, storage_key, content_type,"
        " size_bytes, etag)"
        " SELECT a.id, r.name, f.fmt, r.w, r.h, 'renditions/ab/' || md5(a.id::text || r.name || f.fmt)"
        " || '.' || f.fmt, 'image/' || f.fmt, 50000, '\"e\"'"
        " FROM content_assets a,"
        " unnest($1::text[], $2::int[], $3::int[]) AS r(name, w, h),"
        " unnest(ARRAY['jpeg', 'webp']) AS f(fmt)",
        [r[0] for r in RENDITIONS],
        [r[1] for r in RENDITIONS],
        [r[2] for r in RENDITIONS],
    )
    await conn.execute("UPDATE content_items SET search_doc = to_tsvector('french', library_unaccent(title))")


async def ambassador_token(stores: BenchStores) -> str:
    """A new API token of the first opted-in ambassador."""
    db = await Database.connect(stores.database_url, min_size=1, max_size=2)
    try:
        async with db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT p.id, p.public_id, p.email, p.language FROM people p JOIN ambassadors a ON a.person_id = p.id"
                " ORDER BY p.id LIMIT 1"
            )
        assert row is not None
        principal = Principal(
            person_id=row["id"], public_id=row["public_id"], email=row["email"], display_name="Bench",
            language=row["language"], roles=frozenset({"employee"}), via="token",
        )  # fmt: skip
        created = await create_token(db, principal, TokenCreate(name="bench"), max_days=365)
        return created.token
    finally:
        await db.close()


def at(base: str, target: Target) -> Target:
    return msgspec.structs.replace(target, url=base + target.url)


def main() -> None:
    with bench_stores() as stores:
        token = asyncio.run(seed(stores))
        feed_target = Target(url="/api/v1/feed", headers={"Authorization": f"Bearer {token}"})
        app_env = stores.env(STORAGE="local", DATA_DIR="/tmp/advocacy-bench-data")
        with served("tests.bench._apps:bare_app") as bare_base:
            bare_target = Target(url=f"{bare_base}/bare")
            with served("tests.bench._apps:real_app", env=app_env) as base:
                feed, bare = interleaved(at(base, feed_target), bare_target)
            with served("tests.bench._apps:real_app", env={**app_env, "FEED_CACHE_SECONDS": "0"}) as base:
                uncached, bare_again = interleaved(at(base, feed_target), bare_target, rounds=1)
    assert feed.errors == 0 and uncached.errors == 0, "failed requests on /api/v1/feed"
    record("content.feed_rps", feed.rps, "req/s", "bare Litestar route rps", bare.rps)
    record("content.feed_p99_ms", feed.p99_ms, "ms", "bare Litestar route p99", bare.p99_ms)
    record("content.feed_uncached_rps", uncached.rps, "req/s", "bare Litestar route rps", bare_again.rps)
    record(
        "content.feed_uncached_p99_ms", uncached.p99_ms, "ms", "bare Litestar route p99", bare_again.p99_ms
    )


if __name__ == "__main__":
    main()
