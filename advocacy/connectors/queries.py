"""SQL for connected accounts, OAuth states, Mastodon app registrations and declared audiences."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.connectors.schemas import (
    AccountRow,
    AudienceRead,
    ConnectedAccountRead,
    EncryptedRow,
    ImageSource,
    PublicationRead,
    PublicationRow,
    ShareToPublish,
    StateRow,
)

_READ = (
    "public_id AS id, network, handle, display_name, profile_url, base_url, scopes, followers, status,"
    " status_reason, connected_at, expires_at, last_used_at"
)
_ROW = "id, public_id, person_id, network, base_url, external_id, handle, access_token, refresh_token, expires_at, status"


async def insert_state(
    conn: asyncpg.Connection,
    *,
    state_hash: bytes,
    person_id: int,
    network: str,
    base_url: str,
    code_verifier: bytes,
    redirect_uri: str,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO oauth_states (state_hash, person_id, network, base_url, code_verifier, redirect_uri, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        state_hash,
        person_id,
        network,
        base_url,
        code_verifier,
        redirect_uri,
        expires_at,
    )


async def consume_state(conn: asyncpg.Connection, state_hash: bytes) -> StateRow | None:
    """Mark the state used and return it; None when it is unknown or was already used (a replay)."""
    record = await conn.fetchrow(
        "UPDATE oauth_states SET used_at = now() WHERE state_hash = $1 AND used_at IS NULL"
        " RETURNING person_id, network, base_url, code_verifier, redirect_uri, expires_at, used_at, true AS first_use",
        state_hash,
    )
    return None if record is None else msgspec.convert(record, StateRow)


async def purge_oauth_states(conn: asyncpg.Connection, before: datetime) -> int:
    status: str = await conn.execute("DELETE FROM oauth_states WHERE expires_at < $1", before)
    return int(status.split()[-1])


async def mastodon_app(
    conn: asyncpg.Connection, instance: str, redirect_uri: str
) -> tuple[str, bytes] | None:
    record = await conn.fetchrow(
        "SELECT client_id, client_secret FROM mastodon_apps WHERE instance = $1 AND redirect_uri = $2",
        instance,
        redirect_uri,
    )
    return None if record is None else (record["client_id"], bytes(record["client_secret"]))


async def save_mastodon_app(
    conn: asyncpg.Connection, instance: str, redirect_uri: str, client_id: str, client_secret: bytes
) -> tuple[str, bytes]:
    """Keep the first registration when two connect flows raced to register the same instance."""
    record = await conn.fetchrow(
        "INSERT INTO mastodon_apps (instance, redirect_uri, client_id, client_secret) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (instance, redirect_uri) DO UPDATE SET instance = EXCLUDED.instance"
        " RETURNING client_id, client_secret",
        instance,
        redirect_uri,
        client_id,
        client_secret,
    )
    assert record is not None
    return record["client_id"], bytes(record["client_secret"])


async def upsert_account(
    conn: asyncpg.Connection,
    *,
    person_id: int,
    network: str,
    base_url: str,
    external_id: str,
    handle: str,
    display_name: str | None,
    profile_url: str | None,
    scopes: list[str],
    access_token: bytes,
    refresh_token: bytes | None,
    expires_at: datetime | None,
    followers: int | None,
) -> ConnectedAccountRead:
    record = await conn.fetchrow(
        f"""
        INSERT INTO connected_accounts (person_id, network, base_url, external_id, handle, display_name,
            profile_url, scopes, access_token, refresh_token, expires_at, followers, followers_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $12::int IS NULL THEN NULL ELSE now() END)
        ON CONFLICT (person_id, network) DO UPDATE SET
            base_url = EXCLUDED.base_url, external_id = EXCLUDED.external_id, handle = EXCLUDED.handle,
            display_name = EXCLUDED.display_name, profile_url = EXCLUDED.profile_url, scopes = EXCLUDED.scopes,
            access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
            expires_at = EXCLUDED.expires_at, followers = EXCLUDED.followers, followers_at = EXCLUDED.followers_at,
            status = 'active', status_reason = NULL, connected_at = now(), refreshed_at = NULL
        RETURNING {_READ}
        """,
        person_id,
        network,
        base_url,
        external_id,
        handle,
        display_name,
        profile_url,
        scopes,
        access_token,
        refresh_token,
        expires_at,
        followers,
    )
    return msgspec.convert(record, ConnectedAccountRead)


async def accounts_of_person(conn: asyncpg.Connection, person_id: int) -> list[ConnectedAccountRead]:
    records = await conn.fetch(
        f"SELECT {_READ} FROM connected_accounts WHERE person_id = $1 ORDER BY network", person_id
    )
    return [msgspec.convert(r, ConnectedAccountRead) for r in records]


async def account_rows_of_person(conn: asyncpg.Connection, person_id: int) -> list[AccountRow]:
    records = await conn.fetch(f"SELECT {_ROW} FROM connected_accounts WHERE person_id = $1", person_id)
    return [msgspec.convert(r, AccountRow) for r in records]


async def account_row(conn: asyncpg.Connection, account_id: int) -> AccountRow | None:
    record = await conn.fetchrow(f"SELECT {_ROW} FROM connected_accounts WHERE id = $1", account_id)
    return None if record is None else msgspec.convert(record, AccountRow)


async def account_row_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> AccountRow | None:
    record = await conn.fetchrow(f"SELECT {_ROW} FROM connected_accounts WHERE public_id = $1", public_id)
    return None if record is None else msgspec.convert(record, AccountRow)


async def account_for(conn: asyncpg.Connection, person_id: int, network: str) -> AccountRow | None:
    record = await conn.fetchrow(
        f"SELECT {_ROW} FROM connected_accounts WHERE person_id = $1 AND network = $2", person_id, network
    )
    return None if record is None else msgspec.convert(record, AccountRow)


async def lock_account(conn: asyncpg.Connection, account_id: int) -> AccountRow | None:
    """The account row, locked: two refreshes of one account never race (X rotates refresh tokens)."""
    record = await conn.fetchrow(
        f"SELECT {_ROW} FROM connected_accounts WHERE id = $1 FOR UPDATE", account_id
    )
    return None if record is None else msgspec.convert(record, AccountRow)


async def save_tokens(
    conn: asyncpg.Connection,
    account_id: int,
    *,
    access_token: bytes,
    refresh_token: bytes | None,
    expires_at: datetime | None,
) -> None:
    await conn.execute(
        "UPDATE connected_accounts SET access_token = $2, refresh_token = COALESCE($3, refresh_token),"
        " expires_at = $4, refreshed_at = now(), status = 'active', status_reason = NULL WHERE id = $1",
        account_id,
        access_token,
        refresh_token,
        expires_at,
    )


async def mark_needs_reconnect(conn: asyncpg.Connection, account_id: int, reason: str) -> None:
    await conn.execute(
        "UPDATE connected_accounts SET status = 'needs_reconnect', status_reason = $2 WHERE id = $1",
        account_id,
        reason,
    )


async def touch_account(conn: asyncpg.Connection, account_id: int) -> None:
    await conn.execute("UPDATE connected_accounts SET last_used_at = now() WHERE id = $1", account_id)


async def save_followers(conn: asyncpg.Connection, account_id: int, followers: int) -> None:
    await conn.execute(
        "UPDATE connected_accounts SET followers = $2, followers_at = now() WHERE id = $1",
        account_id,
        followers,
    )


async def delete_account(conn: asyncpg.Connection, account_id: int) -> bool:
    status: str = await conn.execute("DELETE FROM connected_accounts WHERE id = $1", account_id)
    return status.endswith(" 1")


async def upsert_declared_audience(
    conn: asyncpg.Connection, person_id: int, network: str, followers: int
) -> None:
    await conn.execute(
        "INSERT INTO declared_audiences (person_id, network, followers) VALUES ($1, $2, $3)"
        " ON CONFLICT (person_id, network) DO UPDATE SET followers = EXCLUDED.followers, updated_at = now()",
        person_id,
        network,
        followers,
    )


async def audiences_of_person(conn: asyncpg.Connection, person_id: int) -> list[AudienceRead]:
    """Per network, the fetched count of a connected account when there is one, else the declared count."""
    records = await conn.fetch(
        """
        SELECT network, followers, 'fetched' AS source, followers_at AS updated_at FROM connected_accounts
        WHERE person_id = $1 AND followers IS NOT NULL
        UNION ALL
        SELECT d.network, d.followers, 'declared', d.updated_at FROM declared_audiences d
        WHERE d.person_id = $1 AND NOT EXISTS (
            SELECT 1 FROM connected_accounts c
            WHERE c.person_id = d.person_id AND c.network = d.network AND c.followers IS NOT NULL)
        ORDER BY 1
        """,
        person_id,
    )
    return [msgspec.convert(r, AudienceRead) for r in records]


# --- key rotation ------------------------------------------------------------------------------------------


async def encrypted_values(
    conn: asyncpg.Connection, table: str, after: Any, limit: int
) -> list[EncryptedRow]:
    """A batch of (key, ciphertext columns) of one of the tables holding ciphertexts, in key order."""
    sql = {
        "connected_accounts": "SELECT id AS k, access_token AS a, refresh_token AS b FROM connected_accounts"
        " WHERE id > $1 ORDER BY id LIMIT $2",
        "oauth_states": "SELECT state_hash AS k, code_verifier AS a, NULL::bytea AS b FROM oauth_states"
        " WHERE state_hash > $1 ORDER BY state_hash LIMIT $2",
        "mastodon_apps": "SELECT instance || ' ' || redirect_uri AS k, client_secret AS a, NULL::bytea AS b"
        " FROM mastodon_apps WHERE instance || ' ' || redirect_uri > $1 ORDER BY 1 LIMIT $2",
    }[table]
    return [EncryptedRow(key=r[0], first=r[1], second=r[2]) for r in await conn.fetch(sql, after, limit)]


async def store_rotated(
    conn: asyncpg.Connection, table: str, rows: list[tuple[Any, bytes, bytes | None]]
) -> None:
    sql = {
        "connected_accounts": "UPDATE connected_accounts SET access_token = $2, refresh_token = $3 WHERE id = $1",
        "oauth_states": "UPDATE oauth_states SET code_verifier = $2 WHERE state_hash = $1 AND $3::bytea IS NULL",
        "mastodon_apps": "UPDATE mastodon_apps SET client_secret = $2"
        " WHERE instance || ' ' || redirect_uri = $1 AND $3::bytea IS NULL",
    }[table]
    await conn.executemany(sql, rows)


# --- direct publishing ---------------------------------------------------------------------------------------


async def share_to_publish(conn: asyncpg.Connection, share_id: int) -> ShareToPublish | None:
    record = await conn.fetchrow(
        """
        SELECT s.id, s.public_id, s.person_id, p.language AS person_language, s.network, s.mode, s.status,
               s.language, s.caption, s.images, s.external_post_id, s.created_at, l.code AS link_code
        FROM shares s JOIN people p ON p.id = s.person_id LEFT JOIN tracked_links l ON l.share_id = s.id
        WHERE s.id = $1
        """,
        share_id,
    )
    return None if record is None else msgspec.convert(record, ShareToPublish)


async def ensure_publication(conn: asyncpg.Connection, share_id: int, account_id: int) -> PublicationRow:
    record = await conn.fetchrow(
        """
        INSERT INTO share_publications (share_id, account_id) VALUES ($1, $2)
        ON CONFLICT (share_id) DO UPDATE SET account_id = COALESCE(share_publications.account_id, EXCLUDED.account_id)
        RETURNING share_id, account_id, state, attempts, outcome_unknown
        """,
        share_id,
        account_id,
    )
    return msgspec.convert(record, PublicationRow)


async def mark_sending(conn: asyncpg.Connection, share_id: int) -> None:
    """Committed before the post request leaves: if no answer comes back, the next try looks first."""
    await conn.execute(
        "UPDATE share_publications SET state = 'sending', outcome_unknown = true, updated_at = now() WHERE share_id = $1",
        share_id,
    )


async def clear_unknown(conn: asyncpg.Connection, share_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE share_publications SET outcome_unknown = false, last_error = $2, updated_at = now() WHERE share_id = $1",
        share_id,
        error[:500],
    )


async def note_error(conn: asyncpg.Connection, share_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE share_publications SET last_error = $2, updated_at = now() WHERE share_id = $1",
        share_id,
        error[:500],
    )


async def publication_done(conn: asyncpg.Connection, share_id: int) -> None:
    await conn.execute(
        "UPDATE share_publications SET state = 'published', outcome_unknown = false, reason_fr = NULL,"
        " reason_en = NULL, updated_at = now() WHERE share_id = $1",
        share_id,
    )


async def publication_failed(
    conn: asyncpg.Connection, share_id: int, *, reason_fr: str, reason_en: str, shown: str, error: str
) -> None:
    await conn.execute(
        "INSERT INTO share_publications (share_id, state, reason_fr, reason_en, last_error) VALUES ($1, 'failed', $2, $3, $4)"
        " ON CONFLICT (share_id) DO UPDATE SET state = 'failed', reason_fr = $2, reason_en = $3, last_error = $4,"
        " updated_at = now()",
        share_id,
        reason_fr,
        reason_en,
        error[:500],
    )
    await conn.execute(
        "UPDATE shares SET status = 'failed', status_reason = $2, updated_at = now()"
        " WHERE id = $1 AND status IN ('ready', 'scheduled')",
        share_id,
        shown,
    )


async def count_attempt(conn: asyncpg.Connection, share_id: int, not_before: datetime | None) -> int:
    attempts: int = await conn.fetchval(
        "UPDATE share_publications SET attempts = attempts + 1, not_before = $2, updated_at = now()"
        " WHERE share_id = $1 RETURNING attempts",
        share_id,
        not_before,
    )
    return attempts


async def schedule_publish(
    conn: asyncpg.Connection, job: str, share_id: int, attempt: int, at: datetime
) -> None:
    """A later try of the publish job (after a long Retry-After, or backoff): an outbox row due at `at`."""
    await conn.execute(
        "INSERT INTO outbox (job, args, dedupe_key, next_attempt_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        job,
        {"share_id": share_id},
        f"{job}:{share_id}:retry:{attempt}",
        at,
    )
    await conn.execute("SELECT pg_notify('outbox', '')")


async def try_lock_share(conn: asyncpg.Connection, share_id: int) -> bool:
    """A transaction-scoped lock: one publish run per share at a time, released when the job's row commits."""
    locked: bool = await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock(hashtext('shares.publish'), $1::int)", share_id
    )
    return locked


async def image_sources(conn: asyncpg.Connection, asset_ids: list[UUID]) -> list[ImageSource]:
    """Each chosen image as stored, and its JPEG renditions, largest first (the caller picks what fits)."""
    records = await conn.fetch(
        """
        SELECT a.public_id AS asset_public_id, a.storage_key, a.content_type, a.size_bytes, a.alt_text
        FROM content_assets a WHERE a.public_id = ANY($1::uuid[])
        UNION ALL
        SELECT a.public_id, r.storage_key, r.content_type, r.size_bytes, a.alt_text
        FROM content_assets a JOIN content_renditions r ON r.asset_id = a.id AND r.format = 'jpeg'
        WHERE a.public_id = ANY($1::uuid[])
        ORDER BY 4 DESC
        """,
        asset_ids,
    )
    return [msgspec.convert(r, ImageSource) for r in records]


async def publication_of_share(
    conn: asyncpg.Connection, share_public_id: UUID
) -> tuple[int, PublicationRead] | None:
    record = await conn.fetchrow(
        """
        SELECT s.person_id, s.public_id AS share_id, s.network, COALESCE(pb.state, 'pending') AS state,
               COALESCE(pb.attempts, 0) AS attempts, s.external_post_url, pb.reason_fr, pb.reason_en,
               CASE WHEN p.language = 'fr' THEN pb.reason_fr ELSE pb.reason_en END AS reason,
               COALESCE(pb.updated_at, s.updated_at) AS updated_at
        FROM shares s JOIN people p ON p.id = s.person_id
        LEFT JOIN share_publications pb ON pb.share_id = s.id
        WHERE s.public_id = $1 AND s.mode = 'direct'
        """,
        share_public_id,
    )
    if record is None:
        return None
    values = dict(record)
    person_id = values.pop("person_id")
    return person_id, msgspec.convert(values, PublicationRead)
