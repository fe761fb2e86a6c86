"""SQL for Idempotency-Key: claiming a key, the response stored under it, and forgetting it."""

from __future__ import annotations

import asyncpg
import msgspec


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    """What a key holds: the hash of the request that claimed it and, once answered, the response."""

    request_hash: bytes
    status_code: int | None
    content_type: str | None
    body: bytes | None


async def claimed_key(conn: asyncpg.Connection, scope: str, key: str, request_hash: bytes) -> bool:
    """Claim the key for this request; False when someone (this caller, earlier) already holds it."""
    claimed: bool | None = await conn.fetchval(
        "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING true",
        scope,
        key,
        request_hash,
    )
    return bool(claimed)


async def stored_response(conn: asyncpg.Connection, scope: str, key: str) -> StoredResponse | None:
    row = await conn.fetchrow(
        "SELECT request_hash, status_code, content_type, body FROM idempotency_keys"
        " WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    return msgspec.convert(row, StoredResponse) if row else None


async def forget_key(conn: asyncpg.Connection, scope: str, key: str) -> None:
    await conn.execute("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2", scope, key)


async def store_response(
    conn: asyncpg.Connection, scope: str, key: str, *, status_code: int, content_type: str, body: bytes
) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET status_code = $3, content_type = $4, body = $5"
        " WHERE scope = $1 AND key = $2",
        scope,
        key,
        status_code,
        content_type,
        body,
    )
