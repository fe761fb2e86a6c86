"""The analytics' unique clicks come from a rollup (migration 0270) kept by triggers on clicks: whatever
writes clicks (the settle job's UPDATE, a settled INSERT, a share's deletion), the rollup's answer for any
range is the count over the raw clicks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import asyncpg

from advocacy.reach import queries

NOW = datetime.now(UTC)
SINCE = NOW - timedelta(days=30)
VERDICT = '{"decision": "allow", "findings": []}'


async def _shares(conn: asyncpg.Connection, count: int) -> list[int]:
    person = await conn.fetchval(
        "INSERT INTO people (email, display_name) VALUES ('rollup@example.com', 'Rollup') RETURNING id"
    )
    item = await conn.fetchval(
        "INSERT INTO content_items (title, status) VALUES ('Post', 'approved') RETURNING id"
    )
    return [
        await conn.fetchval(
            "INSERT INTO shares (person_id, content_item_id, network, status, language, caption, verdict,"
            " created_at) VALUES ($1, $2, 'x', 'published', 'fr', 'c', $3::jsonb, $4) RETURNING id",
            person,
            item,
            VERDICT,
            NOW - timedelta(days=7),  # before every until below
        )
        for _ in range(count)
    ]


async def _raw_counts(conn: asyncpg.Connection, until: datetime) -> int:
    total: int = await conn.fetchval(
        "SELECT count(*) FROM clicks k JOIN shares s ON s.id = k.share_id WHERE s.created_at >= $1"
        " AND s.created_at < $2 AND k.at < $2 AND k.counted AND NOT k.bot AND NOT k.self",
        SINCE,
        until,
    )
    return total


async def _rollup_counts(conn: asyncpg.Connection, until: datetime) -> int:
    rows = await queries.figures(conn, since=SINCE, until=until)
    return sum(row.unique_clicks for row in rows)


def _untils() -> list[datetime]:
    midnight = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        NOW + timedelta(days=1),
        NOW,
        midnight,
        midnight + timedelta(microseconds=1),
        midnight - timedelta(microseconds=1),
        midnight - timedelta(days=1, hours=7),
        NOW - timedelta(days=3, minutes=13),
        NOW - timedelta(days=6),
    ]


async def _assert_exact(conn: asyncpg.Connection) -> None:
    for until in _untils():
        assert await _rollup_counts(conn, until) == await _raw_counts(conn, until), until


async def test_rollup_answers_equal_a_count_over_raw_clicks_whatever_writes_them(
    conn: asyncpg.Connection,
) -> None:
    rng = random.Random(11)
    shares = await _shares(conn, 4)
    rows = [
        (rng.choice(shares), NOW - timedelta(seconds=rng.randint(0, 6 * 86400)), rng.random() < 0.1,
         rng.random() < 0.1)
        for _ in range(400)
    ]  # fmt: skip
    # as the redirect writes them: unsettled, nothing in the rollup yet
    await conn.executemany(
        "INSERT INTO clicks (share_id, at, visitor_hash, counted, bot, self) VALUES ($1, $2, '\\x00', NULL, $3, $4)",
        rows,
    )
    await _assert_exact(conn)
    # as the settle job decides them, in batches
    await conn.execute(
        "UPDATE clicks SET counted = (id % 3 <> 0) WHERE id IN (SELECT id FROM clicks ORDER BY id LIMIT 250)"
    )
    await conn.execute("UPDATE clicks SET counted = (id % 5 <> 0) WHERE counted IS NULL")
    await _assert_exact(conn)
    # settled clicks inserted directly (an import), and a change of flags after the fact
    await conn.executemany(
        "INSERT INTO clicks (share_id, at, visitor_hash, counted, bot, self) VALUES ($1, $2, '\\x00', true, $3, $4)",
        rows[:60],
    )
    await conn.execute("UPDATE clicks SET self = true WHERE id % 7 = 0")
    await conn.execute("UPDATE clicks SET at = at - interval '1 day' WHERE id % 11 = 0")
    await _assert_exact(conn)
    # clicks deleted, and a share deleted with its clicks
    await conn.execute("DELETE FROM clicks WHERE id % 13 = 0")
    await conn.execute("DELETE FROM shares WHERE id = $1", shares[0])
    await _assert_exact(conn)
    totals = await conn.fetch("SELECT share_id, clicks FROM share_click_totals ORDER BY share_id")
    raw = await conn.fetch(
        "SELECT share_id, count(*) AS clicks FROM clicks WHERE counted AND NOT bot AND NOT self"
        " GROUP BY share_id ORDER BY share_id"
    )
    assert [tuple(r) for r in totals if r["clicks"]] == [tuple(r) for r in raw]
