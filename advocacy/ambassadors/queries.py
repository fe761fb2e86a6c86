"""SQL for ambassador consent: the current state and the append-only consent events."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from advocacy.ambassadors.schemas import Consent, ConsentEvent
from advocacy.ambassadors.sql import CONSENT_COLUMNS


async def consent_row(conn: asyncpg.Connection, person_id: int) -> Consent | None:
    """The person's consent with the accepted and active charter versions and any later material change."""
    row = await conn.fetchrow(
        f"SELECT {CONSENT_COLUMNS} FROM ambassadors a WHERE a.person_id = $1", person_id
    )
    return None if row is None else msgspec.convert(dict(row), Consent)


async def active_charter_version(conn: asyncpg.Connection) -> int | None:
    version: int | None = await conn.fetchval("SELECT version FROM charters WHERE status = 'active'")
    return version


async def upsert_opt_in(
    conn: asyncpg.Connection,
    *,
    person_id: int,
    charter_id: int,
    expires_at: datetime,
    visibility: str | None,
) -> None:
    await conn.execute(
        """
        INSERT INTO ambassadors (person_id, status, charter_id, accepted_at, expires_at, visibility)
        VALUES ($1, 'opted_in', $2, now(), $3, COALESCE($4, 'public'))
        ON CONFLICT (person_id) DO UPDATE SET status = 'opted_in', charter_id = $2, accepted_at = now(),
            expires_at = $3, opted_out_at = NULL,
            visibility = COALESCE($4, ambassadors.visibility), updated_at = now()
        """,
        person_id,
        charter_id,
        expires_at,
        visibility,
    )


async def mark_opted_out(conn: asyncpg.Connection, person_id: int) -> bool:
    status = await conn.execute(
        "UPDATE ambassadors SET status = 'opted_out', opted_out_at = now(), updated_at = now()"
        " WHERE person_id = $1 AND status = 'opted_in'",
        person_id,
    )
    return bool(status.endswith(" 1"))


async def set_visibility(conn: asyncpg.Connection, person_id: int, visibility: str) -> bool:
    status = await conn.execute(
        "UPDATE ambassadors SET visibility = $2, updated_at = now() WHERE person_id = $1",
        person_id,
        visibility,
    )
    return bool(status.endswith(" 1"))


async def insert_event(
    conn: asyncpg.Connection, *, person_id: int, kind: str, charter_id: int | None, visibility: str | None
) -> int:
    event_id: int = await conn.fetchval(
        "INSERT INTO consent_events (person_id, kind, charter_id, visibility) VALUES ($1, $2, $3, $4)"
        " RETURNING id",
        person_id,
        kind,
        charter_id,
        visibility,
    )
    return event_id


async def events_of_person(conn: asyncpg.Connection, person_id: int) -> list[ConsentEvent]:
    rows = await conn.fetch(
        "SELECT e.kind, c.version AS charter_version, e.visibility, e.at FROM consent_events e"
        " LEFT JOIN charters c ON c.id = e.charter_id WHERE e.person_id = $1 ORDER BY e.id",
        person_id,
    )
    return [msgspec.convert(r, ConsentEvent) for r in rows]
