"""`links.redirect_rps` / `links.redirect_p99_ms`: GET /l/{code} with click recording (group commit: every
answered click is committed before its redirect) against a bare Litestar redirect from a dict, same run;
measured in alternation (median of five rounds each: this figure swings most between runs); then the clicks in PostgreSQL are checked against the
requests wrk saw answered."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec

from advocacy.db.pool import Database
from advocacy.links.service import settle_clicks
from tests.bench._common import record
from tests.bench._database import BenchStores, bench_stores
from tests.bench._load import LoadResult, median_run, served, wrk

TARGET = "https://example.com/landing?utm_source=x"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
CODE = "benchCode0001"
CONNECTIONS = 32


async def _seed(stores: BenchStores) -> None:
    conn = await asyncpg.connect(stores.database_url)
    try:
        person = await conn.fetchval(
            "INSERT INTO people (email, display_name) VALUES ('bench@example.com', 'Bench') RETURNING id"
        )
        await conn.execute("INSERT INTO ambassadors (person_id, status) VALUES ($1, 'opted_in')", person)
        item = await conn.fetchval(
            "INSERT INTO content_items (title, link, status) VALUES ('Bench', $1, 'approved') RETURNING id",
            TARGET,
        )
        share = await conn.fetchval(
            "INSERT INTO shares (person_id, content_item_id, network, status, language, caption, verdict)"
            " VALUES ($1, $2, 'x', 'ready', 'fr', 'bench', '{}') RETURNING id",
            person,
            item,
        )
        await conn.execute(
            "INSERT INTO tracked_links (code, share_id, target) VALUES ($1, $2, $3)", CODE, share, TARGET
        )
    finally:
        await conn.close()


async def _click_rows(stores: BenchStores) -> int:
    conn = await asyncpg.connect(stores.database_url)
    try:
        total: int = await conn.fetchval("SELECT count(*) FROM clicks")
    finally:
        await conn.close()
    return total


async def _settle(stores: BenchStores) -> int:
    db = await Database.connect(stores.database_url, min_size=1, max_size=2)
    try:
        report = await settle_clicks(db)
    finally:
        await db.close()
    return report.counted


ROUNDS, SECONDS = 5, 4
HEADERS = {"User-Agent": BROWSER}


class Redirects(msgspec.Struct, frozen=True, kw_only=True):
    links: LoadResult
    bare: LoadResult
    rows: int  # click rows written during the measured rounds
    answered: int  # redirects wrk read


def measure_redirects(stores: BenchStores, code: str, target: str, *, rounds: int = ROUNDS) -> Redirects:
    """/l/{code} on the real app against the bare redirect, in alternation (background load on the machine
    hits both sides alike), counting the click rows each measured round wrote."""
    with (
        served("tests.bench._apps:bare_app", env={"BENCH_REDIRECT_TARGET": target}) as bare_base,
        served("tests.bench._apps:real_app", env=stores.env()) as base,
    ):
        bare_url, links_url = f"{bare_base}/bare-redirect/abc123", f"{base}/l/{code}"
        wrk(bare_url, seconds=2, connections=CONNECTIONS, headers=HEADERS)
        wrk(links_url, seconds=2, connections=CONNECTIONS, headers=HEADERS)
        bare_runs, link_runs, rows, answered = [], [], 0, 0
        for _ in range(rounds):
            bare_runs.append(wrk(bare_url, seconds=SECONDS, connections=CONNECTIONS, headers=HEADERS))
            before = asyncio.run(_click_rows(stores))
            run = wrk(links_url, seconds=SECONDS, connections=CONNECTIONS, headers=HEADERS)
            rows += asyncio.run(_click_rows(stores)) - before
            answered += run.requests
            link_runs.append(run)
    return Redirects(links=median_run(link_runs), bare=median_run(bare_runs), rows=rows, answered=answered)


def check_every_answered_click_was_stored(measured: Redirects, rounds: int = ROUNDS) -> None:
    assert measured.links.errors == 0, f"{measured.links.errors} failed requests on /l/{{code}}"
    # wrk counts the responses it read before its clock stopped; the server may have answered (and
    # recorded) up to one more request per connection that wrk was still reading when it stopped.
    cut_off = CONNECTIONS * rounds
    print(
        f"   click rows {measured.rows} for {measured.answered} answered requests (+ at most {cut_off} cut off)"
    )
    assert measured.answered <= measured.rows <= measured.answered + cut_off, (
        measured.rows,
        measured.answered,
    )


def main() -> None:
    with bench_stores() as stores:
        asyncio.run(_seed(stores))
        measured = measure_redirects(stores, CODE, TARGET)
        counted = asyncio.run(_settle(stores))
    check_every_answered_click_was_stored(measured)
    # one browser on loopback is one visitor: the 24 h window counts all its clicks once
    assert counted == 1, f"{counted} counted clicks from one visitor, expected 1"
    links, bare = measured.links, measured.bare
    record("links.redirect_rps", links.rps, "req/s", "bare Litestar redirect from a dict", bare.rps)
    record("links.redirect_p99_ms", links.p99_ms, "ms", "bare Litestar redirect p99", bare.p99_ms)


if __name__ == "__main__":
    main()
