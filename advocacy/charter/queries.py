"""SQL for charter versions, their activations and the ring buffer of texts checked at share time."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from advocacy.charter.schemas import ActivationRead, CharterRead, KeptText

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


async def charter_id_and_rules(conn: asyncpg.Connection, version: int) -> tuple[int, dict[str, Any]] | None:
    row = await conn.fetchrow("SELECT id, rules FROM charters WHERE version = $1", version)
    return (row["id"], row["rules"]) if row else None


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


async def activations_page(
    conn: asyncpg.Connection, *, before_id: int | None, limit: int
) -> list[tuple[int, ActivationRead]]:
    """Activation history, newest first; the person who activated is named by public id while they exist."""
    rows = await conn.fetch(
        "SELECT a.id, c.version, c.title, a.material_change, p.public_id AS activated_by, a.activated_at"
        " FROM charter_activations a JOIN charters c ON c.id = a.charter_id"
        " LEFT JOIN people p ON p.id = a.activated_by"
        " WHERE $1::bigint IS NULL OR a.id < $1"
        " ORDER BY a.id DESC LIMIT $2",
        before_id,
        limit,
    )
    return [(row["id"], msgspec.convert(row, ActivationRead)) for row in rows]


async def record_checked_text(
    conn: asyncpg.Connection,
    *,
    text: str,
    text_sha256: str,
    network: str,
    language: str,
    content: dict[str, Any] | None,
    decision: str,
    charter_id: int,
) -> None:
    """Keep a text checked at share time in the 1 000-slot ring buffer (the same text refreshes its row)."""
    await conn.execute(
        "WITH again AS ("
        "  UPDATE charter_checked_texts SET content = $5, decision = $6, charter_id = $7, checked_at = now()"
        "  WHERE text_sha256 = $2 AND network = $3 AND language = $4 RETURNING slot"
        ")"
        " INSERT INTO charter_checked_texts"
        " (slot, text, text_sha256, network, language, content, decision, charter_id, checked_at)"
        " SELECT nextval('charter_checked_texts_slot'), $1, $2, $3, $4, $5, $6, $7, now()"
        " WHERE NOT EXISTS (SELECT 1 FROM again)"
        " ON CONFLICT (slot) DO UPDATE SET text = EXCLUDED.text, text_sha256 = EXCLUDED.text_sha256,"
        " network = EXCLUDED.network, language = EXCLUDED.language, content = EXCLUDED.content,"
        " decision = EXCLUDED.decision, charter_id = EXCLUDED.charter_id, checked_at = EXCLUDED.checked_at",
        text,
        text_sha256,
        network,
        language,
        content,
        decision,
        charter_id,
    )


async def kept_texts(conn: asyncpg.Connection) -> list[KeptText]:
    """Every kept text (at most 1 000), newest first."""
    rows = await conn.fetch(
        "SELECT k.text, k.network, k.language, k.content, k.decision, c.version AS charter_version, k.checked_at"
        " FROM charter_checked_texts k JOIN charters c ON c.id = k.charter_id"
        " ORDER BY k.checked_at DESC"
    )
    return [msgspec.convert(row, KeptText) for row in rows]
