"""SQL for charter versions and their activations."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from advocacy.charter.schemas import CharterRead

_COLUMNS = "version, status, title, body_fr, body_en, material_change, created_at, activated_at"


async def active_charter(conn: asyncpg.Connection) -> CharterRead | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM charters WHERE status = 'active'")
    return msgspec.convert(row, CharterRead) if row else None


async def active_charter_id_and_version(conn: asyncpg.Connection) -> tuple[int, int] | None:
    row = await conn.fetchrow("SELECT id, version FROM charters WHERE status = 'active'")
    return (row["id"], row["version"]) if row else None


async def charter_by_version(conn: asyncpg.Connection, version: int) -> CharterRead | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM charters WHERE version = $1", version)
    return msgspec.convert(row, CharterRead) if row else None


async def charters(conn: asyncpg.Connection) -> list[CharterRead]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM charters ORDER BY version DESC")
    return [msgspec.convert(r, CharterRead) for r in rows]


async def charter_rules(conn: asyncpg.Connection, version: int) -> dict[str, Any] | None:
    rules: dict[str, Any] | None = await conn.fetchval(
        "SELECT rules FROM charters WHERE version = $1", version
    )
    return rules


async def insert_draft(
    conn: asyncpg.Connection,
    *,
    title: str,
    body_fr: str,
    body_en: str,
    material_change: bool,
    rules: dict[str, Any],
    created_by: int | None,
) -> CharterRead:
    # Serialised by a lock so two drafts created at once never pick the same number.
    await conn.execute("LOCK TABLE charters IN SHARE ROW EXCLUSIVE MODE")
    row = await conn.fetchrow(
        "INSERT INTO charters (version, title, body_fr, body_en, material_change, rules, created_by)"
        " SELECT COALESCE(max(version), 0) + 1, $1, $2, $3, $4, $5, $6 FROM charters"
        f" RETURNING {_COLUMNS}",
        title,
        body_fr,
        body_en,
        material_change,
        rules,
        created_by,
    )
    return msgspec.convert(row, CharterRead)


async def activate(conn: asyncpg.Connection, version: int, *, activated_by: int | None) -> CharterRead | None:
    """Make this version the only active one and record the activation; None if it is not a draft."""
    charter_id = await conn.fetchval(
        "SELECT id FROM charters WHERE version = $1 AND status = 'draft'", version
    )
    if charter_id is None:
        return None
    await conn.execute("UPDATE charters SET status = 'retired' WHERE status = 'active'")
    row = await conn.fetchrow(
        f"UPDATE charters SET status = 'active', activated_at = now() WHERE id = $1 RETURNING {_COLUMNS}",
        charter_id,
    )
    await conn.execute(
        "INSERT INTO charter_activations (charter_id, material_change, activated_by)"
        " SELECT id, material_change, $2 FROM charters WHERE id = $1",
        charter_id,
        activated_by,
    )
    await conn.execute("SELECT pg_notify('charter_activated', $1::text)", str(version))
    return msgspec.convert(row, CharterRead)
