"""A throwaway database for a benchmark: on TEST_DATABASE_URL's server, or an embedded one."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from advocacy.db.migrations import migrate
from advocacy.embedded import EmbeddedServers


class BenchStores:
    def __init__(self, database_url: str, redis_url: str, namespace: str) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.namespace = namespace

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "REDIS_NAMESPACE": self.namespace,
            "SECRET_KEY": "bench-" + "s" * 40,
            "LOG_LEVEL": "warning",
            "ACCESS_LOG": "false",
            **extra,
        }


@contextmanager
def bench_stores() -> Iterator[BenchStores]:
    admin = os.environ.get("TEST_DATABASE_URL") or None
    redis_url = os.environ.get("TEST_REDIS_URL") or None
    with tempfile.TemporaryDirectory(prefix="advocacy-bench-") as folder:
        Path(folder).chmod(0o755)  # pgserver runs PostgreSQL as its own user when started as root
        with EmbeddedServers(Path(folder), database_url=admin, redis_url=redis_url) as servers:
            assert servers.database_url and servers.redis_url
            name = f"advocacy_bench_{secrets.token_hex(4)}"
            url = asyncio.run(_create(servers.database_url, name))
            try:
                yield BenchStores(url, servers.redis_url, f"bench{secrets.token_hex(3)}")
            finally:
                asyncio.run(_drop(servers.database_url, name))


def with_database(dsn: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(dsn)._replace(path="/" + name))


async def _create(admin: str, name: str) -> str:
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = with_database(admin, name)
    conn = await asyncpg.connect(url)
    await migrate(conn)
    await conn.close()
    return url


async def _drop(admin: str, name: str) -> None:
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()
