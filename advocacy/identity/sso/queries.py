"""SQL of single sign-on: provider subjects linked to people, and the web sessions a provider opened."""

from __future__ import annotations

import asyncpg


async def person_for_subject(conn: asyncpg.Connection, issuer: str, subject: str) -> int | None:
    person_id: int | None = await conn.fetchval(
        "SELECT person_id FROM sso_links WHERE issuer = $1 AND subject = $2", issuer, subject
    )
    return person_id


async def link_subject(conn: asyncpg.Connection, issuer: str, subject: str, person_id: int) -> None:
    await conn.execute(
        "INSERT INTO sso_links (issuer, subject, person_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (issuer, subject) DO UPDATE SET person_id = EXCLUDED.person_id, last_seen_at = now()",
        issuer,
        subject,
        person_id,
    )


async def record_session(
    conn: asyncpg.Connection, token_hash: bytes, issuer: str, subject: str, provider_session: str | None
) -> None:
    await conn.execute(
        "INSERT INTO sso_sessions (session_id, issuer, subject, provider_session)"
        " SELECT id, $2, $3, $4 FROM web_sessions WHERE token_hash = $1",
        token_hash,
        issuer,
        subject,
        provider_session,
    )


async def end_provider_sessions(
    conn: asyncpg.Connection, issuer: str, *, subject: str | None, provider_session: str | None
) -> int:
    """End the open web sessions a provider's session opened (by its id when given, else every one of the
    subject's); the revocation notifies every process's cache (migration 0040)."""
    status: str = await conn.execute(
        "UPDATE web_sessions w SET revoked_at = now() FROM sso_sessions s"
        " WHERE s.session_id = w.id AND w.revoked_at IS NULL AND s.issuer = $1"
        " AND ($2::text IS NULL OR s.subject = $2)"
        " AND ($3::text IS NULL OR s.provider_session = $3)",
        issuer,
        subject,
        provider_session,
    )
    return int(status.split()[-1])


async def provider_session_of(
    conn: asyncpg.Connection, token_hash: bytes
) -> tuple[str, str, str | None] | None:
    """The issuer, subject and provider session behind a web session (None: not opened by single sign-on)."""
    row = await conn.fetchrow(
        "SELECT s.issuer, s.subject, s.provider_session FROM sso_sessions s"
        " JOIN web_sessions w ON w.id = s.session_id WHERE w.token_hash = $1",
        token_hash,
    )
    return None if row is None else (row["issuer"], row["subject"], row["provider_session"])


async def break_glass_candidates(conn: asyncpg.Connection, public_ids: list[str]) -> list[str]:
    """Of these public ids, those of active administrators."""
    rows = await conn.fetch(
        "SELECT p.public_id::text FROM people p JOIN person_roles r ON r.person_id = p.id AND r.role = 'admin'"
        " WHERE p.active AND p.public_id::text = ANY($1::text[])",
        public_ids,
    )
    return [r[0] for r in rows]


async def is_break_glass(conn: asyncpg.Connection, person_id: int, public_ids: list[str]) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM people p JOIN person_roles r ON r.person_id = p.id AND r.role = 'admin'"
        " WHERE p.id = $1 AND p.public_id::text = ANY($2::text[]))",
        person_id,
        public_ids,
    )
    return found
