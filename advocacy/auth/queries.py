"""SQL for API tokens and web sessions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from advocacy.auth.schemas import LoginRecord, Principal, TokenRead

_PRINCIPAL_COLUMNS = """
p.id AS person_id, p.public_id, p.email, p.display_name, p.language,
COALESCE((SELECT array_agg(r.role) FROM person_roles r WHERE r.person_id = p.id), '{}') AS roles
"""


def _principal(record: asyncpg.Record, via: str) -> Principal:
    return msgspec.convert({**dict(record), "roles": frozenset(record["roles"]), "via": via}, Principal)


async def principal_for_token(conn: asyncpg.Connection, token_hash: bytes) -> Principal | None:
    """The person behind a live API token: not revoked, not expired, person active."""
    row = await conn.fetchrow(
        f"SELECT t.id AS credential_id, {_PRINCIPAL_COLUMNS} FROM api_tokens t JOIN people p ON p.id = t.person_id"
        " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND p.active",
        token_hash,
    )
    return None if row is None else _principal(row, "token")


async def touch_token(conn: asyncpg.Connection, token_id: int) -> None:
    # At most once a minute: "last used" is for people, not an audit trail worth a write per request.
    await conn.execute(
        "UPDATE api_tokens SET last_used_at = now() WHERE id = $1"
        " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
        token_id,
    )


async def principal_for_session(conn: asyncpg.Connection, token_hash: bytes) -> Principal | None:
    """The person behind a live web session (with its CSRF token): not revoked, not expired, person active."""
    row = await conn.fetchrow(
        f"SELECT s.id AS credential_id, s.csrf_token, {_PRINCIPAL_COLUMNS}"
        " FROM web_sessions s JOIN people p ON p.id = s.person_id"
        " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND p.active",
        token_hash,
    )
    return None if row is None else _principal(row, "session")


async def insert_token(
    conn: asyncpg.Connection,
    *,
    person_id: int,
    name: str,
    token_hash: bytes,
    prefix: str,
    expires_at: datetime,
) -> UUID:
    public_id: UUID = await conn.fetchval(
        "INSERT INTO api_tokens (person_id, name, token_hash, prefix, expires_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING public_id",
        person_id,
        name,
        token_hash,
        prefix,
        expires_at,
    )
    return public_id


async def tokens_of_person(conn: asyncpg.Connection, person_id: int) -> list[TokenRead]:
    rows = await conn.fetch(
        "SELECT public_id AS id, name, prefix, created_at, expires_at, last_used_at, revoked_at"
        " FROM api_tokens WHERE person_id = $1 ORDER BY id DESC",
        person_id,
    )
    return [msgspec.convert(r, TokenRead) for r in rows]


async def revoke_token(conn: asyncpg.Connection, *, person_id: int, public_id: UUID) -> bytes | None:
    """Revoke one of the person's tokens; returns its hash (to drop it from caches), None if not theirs."""
    token_hash: bytes | None = await conn.fetchval(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now())"
        " WHERE person_id = $1 AND public_id = $2 RETURNING token_hash",
        person_id,
        public_id,
    )
    return token_hash


async def revoke_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute("UPDATE web_sessions SET revoked_at = now() WHERE token_hash = $1", token_hash)


async def revoke_all_credentials(conn: asyncpg.Connection, person_id: int) -> None:
    await conn.execute(
        "UPDATE web_sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL", person_id
    )
    await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL", person_id
    )


async def login_record_by_email(conn: asyncpg.Connection, email: str) -> LoginRecord | None:
    """id, password_hash and active of the person with this e-mail (for the password check only)."""
    record = await conn.fetchrow(
        "SELECT id, password_hash, active FROM people WHERE canonical_email(email) = canonical_email($1)",
        email,
    )
    return None if record is None else LoginRecord(id=record[0], password_hash=record[1], active=record[2])
