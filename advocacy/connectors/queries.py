"""SQL for connected accounts, OAuth states, Mastodon app registrations and declared audiences."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.connectors.schemas import AccountRow, AudienceRead, ConnectedAccountRead, StateRow

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
) -> list[asyncpg.Record]:
    """A batch of (key, ciphertext columns) of one of the tables holding ciphertexts, in key order."""
    sql = {
        "connected_accounts": "SELECT id AS k, access_token AS a, refresh_token AS b FROM connected_accounts"
        " WHERE id > $1 ORDER BY id LIMIT $2",
        "oauth_states": "SELECT state_hash AS k, code_verifier AS a, NULL::bytea AS b FROM oauth_states"
        " WHERE state_hash > $1 ORDER BY state_hash LIMIT $2",
        "mastodon_apps": "SELECT instance || ' ' || redirect_uri AS k, client_secret AS a, NULL::bytea AS b"
        " FROM mastodon_apps WHERE instance || ' ' || redirect_uri > $1 ORDER BY 1 LIMIT $2",
    }[table]
    return list(await conn.fetch(sql, after, limit))


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
