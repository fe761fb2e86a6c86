"""Big data sets for the scale benchmarks, built once and kept: a database per data set and version, in
the embedded servers under `.bench/data/` (git-ignored) or on TEST_DATABASE_URL's server, reused by later
runs (new migrations are applied to it; a half-built one is built again)."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from advocacy.db.migrations import migrate
from advocacy.embedded import EmbeddedServers
from tests.bench._database import BenchStores, with_database

DATA_ROOT = Path(os.environ.get("BENCH_DATA", ".bench/data"))

Builder = Callable[[asyncpg.Connection], Awaitable[None]]


@contextmanager
def dataset(name: str, version: int, build: Builder) -> Iterator[BenchStores]:
    """Stores holding the data set `name` (at `version`), built by `build` the first time only."""
    admin = os.environ.get("TEST_DATABASE_URL") or None
    redis_url = os.environ.get("TEST_REDIS_URL") or None
    folder = DATA_ROOT.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # pgserver runs PostgreSQL as its own user when started as root
    with EmbeddedServers(folder, database_url=admin, redis_url=redis_url) as servers:
        assert servers.database_url and servers.redis_url
        url = asyncio.run(_ensure(servers.database_url, f"advocacy_bench_{name}_v{version}", build))
        yield BenchStores(url, servers.redis_url, f"bench{secrets.token_hex(3)}")


async def _ensure(admin_url: str, database: str, build: Builder) -> str:
    admin = await asyncpg.connect(admin_url)
    try:
        exists = await admin.fetchval("SELECT true FROM pg_database WHERE datname = $1", database)
    finally:
        await admin.close()
    url = with_database(admin_url, database)
    if exists:
        conn = await asyncpg.connect(url)
        try:
            complete = await conn.fetchval(
                "SELECT EXISTS (SELECT FROM pg_tables WHERE tablename = 'bench_dataset')"
                " AND (SELECT bool_and(complete) FROM bench_dataset)"
            )
            if complete:
                await migrate(conn)
                print(f"   data set {database}: reused", flush=True)
                return url
        finally:
            await conn.close()
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    started = time.monotonic()
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        await conn.execute("CREATE TABLE bench_dataset (complete boolean NOT NULL)")
        await build(conn)
        await conn.execute("ANALYZE")
        await conn.execute("INSERT INTO bench_dataset VALUES (true)")
    finally:
        await conn.close()
    print(
        f"   data set {database}: built in {time.monotonic() - started:.0f} s (kept for later runs)",
        flush=True,
    )
    return url
