"""The one place that opens web sessions and the one that ends a person's sessions and tokens.

Every way in (password, invitation, second factor, and single sign-on later) opens its session with
`start_session`; every credential change ends the others with `end_credentials`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg

from advocacy.audit.service import write_audit
from advocacy.identity import queries


def hash_secret(secret: str) -> bytes:
    # Tokens here are 256-bit random values: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).digest()


class StartedSession:
    def __init__(self, token: str, csrf_token: str, expires_at: datetime) -> None:
        self.token = token
        self.csrf_token = csrf_token
        self.expires_at = expires_at


async def start_session(
    conn: asyncpg.Connection, person_id: int, *, hours: int, method: str = "password"
) -> StartedSession:
    """Open a web session for `person_id` in the caller's transaction; `method` says how they proved it."""
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(24)
    expires_at = datetime.now(UTC) + timedelta(hours=hours)
    await conn.execute(
        "INSERT INTO web_sessions (person_id, token_hash, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        person_id,
        hash_secret(token),
        csrf_token,
        expires_at,
    )
    if method != "password":
        await write_audit(
            conn,
            actor_id=person_id,
            action="session.started",
            subject_type="person",
            subject_id=str(person_id),
            detail={"method": method},
        )
    return StartedSession(token, csrf_token, expires_at)


async def end_credentials(
    conn: asyncpg.Connection, person_id: int, *, keep_session: str | None = None, tokens: bool = False
) -> dict[str, int]:
    """End the person's web sessions (but `keep_session`, the caller's own) and, with `tokens`, revoke
    their API tokens. Every API process drops them from its cache on commit (identity_changed)."""
    ended = await queries.end_sessions(
        conn, person_id, keep_hash=hash_secret(keep_session) if keep_session else None
    )
    revoked = await queries.revoke_tokens(conn, person_id) if tokens else 0
    return {"sessions_ended": ended, "tokens_revoked": revoked}
