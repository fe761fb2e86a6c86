"""The asyncpg pool (json/jsonb through msgspec) and the explicit transaction helper services use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
import msgspec

from advocacy.core.organisation import OrganisationCache

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


def _encode_json(value: Any) -> str:
    return _encode(value).decode()


async def init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=_encode_json, decoder=_decode, schema="pg_catalog")


async def reset_connection(conn: asyncpg.Connection) -> None:
    # asyncpg's default reset (UNLISTEN, RESET ALL, advisory unlock...) costs a round trip per release.
    # Pooled connections never hold session state here (LISTEN and advisory locks use connections of their
    # own), so only a transaction left open by a failure needs undoing.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class Database:
    """Owns a pool; `transaction()` for units of work, `connection()` for reads."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        # The organisation's row, read by every domain (advocacy.core.organisation); live once followed.
        self.organisation = OrganisationCache()

    @classmethod
    async def connect(cls, dsn: str, *, min_size: int = 2, max_size: int = 10) -> Database:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            init=init_connection,
            reset=reset_connection,
            command_timeout=60,
            server_settings={"timezone": "UTC", "application_name": "advocacy"},
        )
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield cast(asyncpg.Connection, conn)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn:
            yield cast(asyncpg.Connection, conn)
