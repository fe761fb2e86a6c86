"""SQL of sources, and only SQL: the feeds to poll, each poll's outcome, and the links already taken
(content_source_entries: a link becomes a draft once, across every source past and present)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.sql import update_columns
from content_library.sources.schemas import SourceRead, SourceRow

_SOURCE = (
    "SELECT s.public_id AS id, s.name, s.url, s.language, c.public_id AS campaign, s.tags, s.active,"
    " s.last_polled_at, s.last_status, s.last_error, s.items_created, s.created_at"
    " FROM content_sources s LEFT JOIN campaigns c ON c.id = s.campaign_id"
)
_SOURCE_COLUMNS = frozenset(
    {
        "name",
        "url",
        "language",
        "campaign_id",
        "tags",
        "active",
        "etag",
        "last_modified",
        "last_status",
        "last_error",
    }
)


async def insert_source(
    conn: asyncpg.Connection,
    *,
    name: str,
    url: str,
    language: str,
    campaign_id: int | None,
    tags: list[str],
    created_by: int,
) -> SourceRead | None:
    public_id = await conn.fetchval(
        "INSERT INTO content_sources (name, url, language, campaign_id, tags, created_by)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO NOTHING RETURNING public_id",
        name,
        url,
        language,
        campaign_id,
        tags,
        created_by,
    )
    if public_id is None:
        return None
    return await source(conn, public_id)


async def source(conn: asyncpg.Connection, public_id: UUID) -> SourceRead | None:
    row = await conn.fetchrow(_SOURCE + " WHERE s.public_id = $1", public_id)
    return msgspec.convert(row, SourceRead) if row else None


async def sources(conn: asyncpg.Connection) -> list[SourceRead]:
    rows = await conn.fetch(_SOURCE + " ORDER BY s.id")
    return [msgspec.convert(r, SourceRead) for r in rows]


async def source_row_for_update(conn: asyncpg.Connection, public_id: UUID) -> SourceRow | None:
    row = await conn.fetchrow(
        "SELECT id, public_id, url, language, campaign_id, tags, etag, last_modified, created_by"
        " FROM content_sources WHERE public_id = $1 FOR UPDATE",
        public_id,
    )
    return msgspec.convert(row, SourceRow) if row else None


async def update_source(conn: asyncpg.Connection, source_id: int, changes: dict[str, Any]) -> None:
    await update_columns(conn, "content_sources", source_id, changes, _SOURCE_COLUMNS)


async def delete_source(conn: asyncpg.Connection, public_id: UUID) -> bool:
    """Remove a source; its drafts keep their content and its entries stay (source_id set to NULL)."""
    deleted = await conn.fetchval(
        "DELETE FROM content_sources WHERE public_id = $1 RETURNING true", public_id
    )
    return bool(deleted)


async def active_source_rows(conn: asyncpg.Connection, public_id: UUID | None = None) -> list[SourceRow]:
    rows = await conn.fetch(
        "SELECT id, public_id, url, language, campaign_id, tags, etag, last_modified, created_by"
        " FROM content_sources WHERE active AND ($1::uuid IS NULL OR public_id = $1) ORDER BY id",
        public_id,
    )
    return [msgspec.convert(r, SourceRow) for r in rows]


async def record_poll(
    conn: asyncpg.Connection,
    source_id: int,
    *,
    status: str,
    error: str | None,
    etag: str | None,
    last_modified: str | None,
    created: int,
) -> None:
    await conn.execute(
        "UPDATE content_sources SET last_polled_at = now(), last_status = $2, last_error = $3,"
        " etag = COALESCE($4, etag), last_modified = COALESCE($5, last_modified),"
        " items_created = items_created + $6 WHERE id = $1",
        source_id,
        status,
        error,
        etag,
        last_modified,
        created,
    )


async def claim_source_link(conn: asyncpg.Connection, source_id: int, link: str) -> bool:
    """Whether this link is new to every source (and now taken by this one)."""
    taken = await conn.fetchval(
        "INSERT INTO content_source_entries (link, source_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
        link,
        source_id,
    )
    return bool(taken)


async def set_source_entry_item(conn: asyncpg.Connection, link: str, item_id: int) -> None:
    await conn.execute("UPDATE content_source_entries SET item_id = $2 WHERE link = $1", link, item_id)
