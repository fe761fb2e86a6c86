"""Real PostgreSQL and Redis: a fresh database and Redis namespace per test session, a client per test.

TEST_DATABASE_URL / TEST_REDIS_URL name servers to use; unset, embedded ones are started (that is what
CI does). Query and service tests run on a connection whose transaction is rolled back; API tests start
from truncated tables, because the app under test owns its own pool.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.app import create_app
from advocacy.db.migrations import migrate
from advocacy.db.pool import Database
from advocacy.embedded import EmbeddedServers
from advocacy.settings import Settings
from tests.factories import Factory


class Stores(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    admin_database_url: str  # the server's maintenance database: for tests that create their own databases
    redis_url: str
    namespace: str


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


async def _create_database(admin_dsn: str, name: str) -> str:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    dsn = with_database(admin_dsn, name)
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return dsn


async def _drop_database(admin_dsn: str, name: str, redis_url: str, namespace: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    redis = Redis.from_url(redis_url)
    try:
        async for key in redis.scan_iter(match=f"{namespace}:*", count=1000):
            await redis.delete(key)
    finally:
        await redis.aclose()


@pytest.fixture(scope="session")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    admin_dsn = os.environ.get("TEST_DATABASE_URL") or None
    redis_url = os.environ.get("TEST_REDIS_URL") or None
    # Not under pytest's 0700 temp folders: run as root, pgserver starts PostgreSQL as its own user,
    # which must be able to reach the data folder.
    folder = Path(tempfile.mkdtemp(prefix="advocacy-test-"))
    folder.chmod(0o755)
    embedded = EmbeddedServers(folder, database_url=admin_dsn, redis_url=redis_url)
    with embedded:
        assert embedded.database_url and embedded.redis_url
        name = f"advocacy_test_{secrets.token_hex(4)}"
        database_url = asyncio.run(_create_database(embedded.database_url, name))
        namespace = f"t{secrets.token_hex(4)}"
        try:
            yield Stores(
                database_url=database_url,
                admin_database_url=embedded.database_url,
                redis_url=embedded.redis_url,
                namespace=namespace,
            )
        finally:
            asyncio.run(_drop_database(embedded.database_url, name, embedded.redis_url, namespace))
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=stores.database_url,
        redis_url=stores.redis_url,
        redis_namespace=stores.namespace,
        secret_key="test-secret-" + "x" * 40,
        data_dir=str(tmp_path_factory.mktemp("data")),
        access_log=False,
        log_level="warning",
        db_pool_min=1,
        db_pool_max=5,
    )


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await Database.connect(settings.database_url, min_size=1, max_size=5)
    yield database
    await database.close()


@pytest.fixture
async def conn(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with db.connection() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


async def truncate_everything(db: Database, redis_url: str, namespace: str) -> None:
    """Empty every table and restart every identity, as a TRUNCATE of all of them would.

    Only the tables holding rows are truncated (a TRUNCATE costs per table, and most are empty); sequences
    that moved without leaving rows (rolled-back tests) are restarted separately.
    """
    async with db.connection() as connection:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
        )
        if tables:
            probe = " UNION ALL ".join(
                f'(SELECT {i} AS n FROM "{t["tablename"]}" LIMIT 1)' for i, t in enumerate(tables)
            )
            filled = [tables[r["n"]]["tablename"] for r in await connection.fetch(probe)]
            if filled:
                names = ", ".join(f'"{name}"' for name in filled)
                # the audit log refuses TRUNCATE by trigger; a test's reset (as superuser) fires no triggers
                async with connection.transaction():
                    await connection.execute("SET LOCAL session_replication_role = replica")
                    await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            await connection.execute(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
                " FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def clean(db: Database, settings: Settings) -> None:
    """Start from empty tables and an empty Redis namespace."""
    await truncate_everything(db, settings.redis_url, settings.redis_namespace)


@pytest.fixture
async def factory(db: Database, clean: None) -> Factory:
    return Factory(db)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    """Built once: each test's client runs the lifespan again, which gives it fresh pools and caches."""
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem(response: Any) -> dict[str, Any]:
    """The body of a problem+json response, checking its media type and shape."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["type"].startswith("urn:advocacy:problem:")
    assert body["status"] == response.status_code
    return body


DATA = Path(__file__).parent / "data"
