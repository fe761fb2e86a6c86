"""Sign-in decisions: password login with throttling, sessions, API tokens, and the short principal cache."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

import asyncpg
from cachetools import TTLCache

from advocacy.audit.service import write_audit
from advocacy.auth import queries
from advocacy.auth.passwords import verify_password
from advocacy.auth.schemas import Principal, TokenCreate, TokenCreated, TokenRead
from advocacy.auth.throttle import LoginThrottle
from advocacy.core.errors import Invalid, NotFound, Unauthenticated
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.identity.second_factor import challenge_if_needed
from advocacy.identity.sessions import start_session
from advocacy.identity.sso.service import check_password_login

TOKEN_PREFIX = "adv_"  # noqa: S105 - a prefix, not a secret
SESSION_COOKIE = "advocacy_session"
CSRF_HEADER = "x-csrf-token"


def hash_secret(secret: str) -> bytes:
    # Tokens are 256-bit random values: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).digest()


class CompanionCache(Protocol):
    def forget_person(self, person_id: int) -> None: ...

    def clear(self) -> None: ...


class PrincipalCache:
    """Who a credential belongs to, and the person's /me row, kept for `ttl` seconds per process
    (cachetools TTL caches, least recently used out first when full).

    Entries are dropped as soon as PostgreSQL says a person changed (triggers NOTIFY identity_changed on
    commit; see advocacy/db/notifications.py), so a revocation or an opt-out is seen by every replica at
    once; the TTL only bounds staleness if that notification channel is down.
    """

    def __init__(self, ttl: float, max_entries: int = 50_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        # Set only while invalidations can be heard (advocacy/db/notifications.py): none heard, none cached.
        self.live = False
        size = max(1, max_entries)
        self._entries: TTLCache[bytes, Principal] = TTLCache(size, max(ttl, 0.001), timer=time.monotonic)
        # person id -> the credential keys cached for them: a change to one person (a notification each)
        # drops their entries without scanning every entry
        self._keys_of: dict[int, set[bytes]] = {}
        self._people: TTLCache[int, object] = TTLCache(size, max(ttl, 0.001), timer=time.monotonic)
        # other per-person caches of identity data (board profiles) dropped with this one's entries
        self.companions: list[CompanionCache] = []

    def get(self, key: bytes) -> Principal | None:
        try:
            return self._entries[key]
        except KeyError:
            return None

    def put(self, key: bytes, principal: Principal) -> None:
        if not self.live or self.ttl <= 0:
            return
        if len(self._keys_of) >= self.max_entries:  # the index of keys by person stays bounded too
            self._entries.clear()
            self._keys_of.clear()
        self._entries[key] = principal
        self._keys_of.setdefault(principal.person_id, set()).add(key)

    def person_row(self, person_id: int) -> object | None:
        try:
            return self._people[person_id]
        except KeyError:
            return None

    def put_person_row(self, person_id: int, row: object) -> None:
        if not self.live or self.ttl <= 0:
            return
        self._people[person_id] = row

    def forget(self, key: bytes) -> None:
        principal = self._entries.pop(key, None)
        if principal is not None:
            self._keys_of.get(principal.person_id, set()).discard(key)

    def forget_person(self, person_id: int) -> None:
        self._people.pop(person_id, None)
        for companion in self.companions:
            companion.forget_person(person_id)
        for key in self._keys_of.pop(person_id, ()):
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._keys_of.clear()
        self._people.clear()
        for companion in self.companions:
            companion.clear()


async def principal_for_token(db: Database, cache: PrincipalCache, token: str) -> Principal | None:
    key = hash_secret(token)
    principal = cache.get(key)
    if principal is not None:
        return principal
    async with db.connection() as conn:
        principal = await queries.principal_for_token(conn, key)
        if principal is None:
            return None
        await queries.touch_token(conn, principal.credential_id)
    cache.put(key, principal)
    return principal


async def principal_for_session(db: Database, cache: PrincipalCache, session_token: str) -> Principal | None:
    key = b"s" + hash_secret(session_token)
    principal = cache.get(key)
    if principal is not None:
        return principal
    async with db.connection() as conn:
        principal = await queries.principal_for_session(conn, key[1:])
    if principal is None:
        return None
    cache.put(key, principal)
    return principal


async def login(
    db: Database,
    throttle: LoginThrottle,
    *,
    email: str,
    password: str,
    client: str,
    session_hours: int,
) -> tuple[str, Principal, datetime]:
    """Check a password; returns (session token, principal, expiry). Throttled per (account, client) and per
    client by failures only (advocacy/auth/throttle.py): a slow-down that someone elsewhere cannot cause."""
    await throttle.check(email, client)
    async with db.connection() as conn:
        record = await queries.login_record_by_email(conn, email)
    password_hash = record.password_hash if record is not None else None
    if not verify_password(password_hash, password) or record is None or not record.active:
        await throttle.failed(email, client)
        raise Unauthenticated(lazy_gettext("The e-mail or the password is wrong"))
    await throttle.succeeded(email, client)
    # Checked once the password is right, so that the refusal tells nobody who the break-glass admins are.
    async with db.connection() as conn:
        await check_password_login(db, conn, record.id)
    # The password is right; a person with a second factor (or who must set one up) gets a challenge instead.
    await challenge_if_needed(db, record.id)
    async with db.transaction() as conn:
        started = await start_session(conn, record.id, hours=session_hours)
        principal = await queries.principal_for_session(conn, hash_secret(started.token))
    assert principal is not None
    return started.token, principal, started.expires_at


async def logout(db: Database, cache: PrincipalCache, session_token: str) -> None:
    async with db.transaction() as conn:
        await queries.revoke_session(conn, hash_secret(session_token))
    cache.forget(b"s" + hash_secret(session_token))


async def create_token(
    db: Database, principal: Principal, body: TokenCreate, *, max_days: int
) -> TokenCreated:
    if body.expires_in_days > max_days:
        raise Invalid(lazy_gettext("A token may live at most %(max_days)s days", max_days=max_days))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(days=body.expires_in_days)
    prefix = token[: len(TOKEN_PREFIX) + 6]
    async with db.transaction() as conn:
        public_id = await queries.insert_token(
            conn,
            person_id=principal.person_id,
            name=body.name,
            token_hash=hash_secret(token),
            prefix=prefix,
            expires_at=expires_at,
        )
        await write_audit(
            conn,
            actor_id=principal.person_id,
            action="token.created",
            subject_type="token",
            subject_id=str(public_id),
        )
    return TokenCreated(id=public_id, name=body.name, token=token, prefix=prefix, expires_at=expires_at)


async def list_tokens(db: Database, principal: Principal) -> list[TokenRead]:
    async with db.connection() as conn:
        return await queries.tokens_of_person(conn, principal.person_id)


async def revoke_token(db: Database, cache: PrincipalCache, principal: Principal, token_id: UUID) -> None:
    async with db.transaction() as conn:
        token_hash = await queries.revoke_token(conn, person_id=principal.person_id, public_id=token_id)
        if token_hash is None:
            raise NotFound(lazy_gettext("You have no token with this id"))
        await write_audit(
            conn,
            actor_id=principal.person_id,
            action="token.revoked",
            subject_type="token",
            subject_id=str(token_id),
        )
    cache.forget(token_hash)


async def revoke_everything_of(db: Database, cache: PrincipalCache, person_id: int) -> None:
    async with db.transaction() as conn:
        await queries.revoke_all_credentials(conn, person_id)
    cache.forget_person(person_id)


IDENTITY_CHANNEL = "identity_changed"


def forget_changed_identity(cache: PrincipalCache, payload: str) -> None:
    """identity_changed's payload: a person id, or '*' when everyone's consent status may have changed."""
    if payload == "*":
        cache.clear()
    elif payload.isdigit():
        cache.forget_person(int(payload))


async def revoke_all_credentials(conn: asyncpg.Connection, person_id: int) -> None:
    """End every web session and API token of the person, in the caller's transaction."""
    await queries.revoke_all_credentials(conn, person_id)
