"""SQL of images, and only SQL: assets (an uploaded master and its settings), their renditions, and the
stored files the media route serves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.sql import update_columns
from content_library.images.schemas import AssetRow, StoredFile

_ASSET_ROW = (
    "SELECT id, public_id, item_id, storage_key, content_type, focal_x::float8 AS focal_x,"
    " focal_y::float8 AS focal_y, renditions_state, renditions_attempts, alt_text FROM content_assets"
)


async def insert_asset(conn: asyncpg.Connection, values: dict[str, Any]) -> AssetRow:
    row = await conn.fetchrow(
        "WITH made AS (INSERT INTO content_assets (item_id, suggestion_id, position, storage_key, content_type,"
        " size_bytes, etag, width, height, source_type, phash, placeholder, near_duplicate_of, uploaded_by)"
        " VALUES ($1, $2, COALESCE($3, (SELECT COALESCE(max(position) + 1, 0) FROM content_assets"
        " WHERE item_id = $1)), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *)"
        " SELECT id, public_id, item_id, storage_key, content_type, focal_x::float8 AS focal_x,"
        " focal_y::float8 AS focal_y, renditions_state, renditions_attempts, alt_text FROM made",
        values.get("item_id"),
        values.get("suggestion_id"),
        values.get("position"),
        values["storage_key"],
        values["content_type"],
        values["size_bytes"],
        values["etag"],
        values["width"],
        values["height"],
        values["source_type"],
        values["phash"],
        values["placeholder"],
        values.get("near_duplicate_of"),
        values.get("uploaded_by"),
    )
    return msgspec.convert(row, AssetRow)


async def recent_phashes(conn: asyncpg.Connection, limit: int) -> list[tuple[int, str]]:
    rows = await conn.fetch("SELECT id, phash FROM content_assets ORDER BY id DESC LIMIT $1", limit)
    return [(r["id"], r["phash"]) for r in rows]


async def asset_row(
    conn: asyncpg.Connection, public_id: UUID, *, for_update: bool = False
) -> AssetRow | None:
    row = await conn.fetchrow(
        _ASSET_ROW + " WHERE public_id = $1" + (" FOR UPDATE" if for_update else ""), public_id
    )
    return msgspec.convert(row, AssetRow) if row else None


async def asset_row_by_id(
    conn: asyncpg.Connection, asset_id: int, *, for_update: bool = False
) -> AssetRow | None:
    row = await conn.fetchrow(_ASSET_ROW + " WHERE id = $1" + (" FOR UPDATE" if for_update else ""), asset_id)
    return msgspec.convert(row, AssetRow) if row else None


async def count_item_assets(conn: asyncpg.Connection, item_id: int) -> int:
    value: int = await conn.fetchval("SELECT count(*) FROM content_assets WHERE item_id = $1", item_id)
    return value


_ASSET_COLUMNS = {
    "alt_text",
    "focal_x",
    "focal_y",
    "position",
    "renditions_state",
    "renditions_reason",
    "renditions_attempts",
    "item_id",
}


async def update_asset(conn: asyncpg.Connection, asset_id: int, changes: dict[str, Any]) -> None:
    await update_columns(conn, "content_assets", asset_id, changes, _ASSET_COLUMNS)


async def set_renditions_state(
    conn: asyncpg.Connection, asset_id: int, state: str, reason: str | None
) -> None:
    await conn.execute(
        "UPDATE content_assets SET renditions_state = $2, renditions_reason = $3, renditions_at = now()"
        " WHERE id = $1",
        asset_id,
        state,
        reason,
    )


async def rendition_keys(conn: asyncpg.Connection, asset_id: int) -> list[str]:
    rows = await conn.fetch("SELECT storage_key FROM content_renditions WHERE asset_id = $1", asset_id)
    return [r["storage_key"] for r in rows]


async def replace_renditions(
    conn: asyncpg.Connection, asset_id: int, renditions: Sequence[dict[str, Any]]
) -> None:
    await conn.execute("DELETE FROM content_renditions WHERE asset_id = $1", asset_id)
    await conn.executemany(
        "INSERT INTO content_renditions (asset_id, name, format, width, height, storage_key, content_type,"
        " size_bytes, etag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            (
                asset_id,
                r["name"],
                r["format"],
                r["width"],
                r["height"],
                r["key"],
                r["content_type"],
                r["size"],
                r["etag"],
            )
            for r in renditions
        ],
    )


async def stored_file(conn: asyncpg.Connection, key: str) -> StoredFile | None:
    row = await conn.fetchrow(
        "SELECT content_type, size_bytes, etag FROM content_assets WHERE storage_key = $1"
        " UNION ALL SELECT content_type, size_bytes, etag FROM content_renditions WHERE storage_key = $1 LIMIT 1",
        key,
    )
    return msgspec.convert(row, StoredFile) if row else None


async def delete_asset(conn: asyncpg.Connection, asset_id: int) -> None:
    await conn.execute("DELETE FROM content_assets WHERE id = $1", asset_id)


async def move_suggestion_assets(conn: asyncpg.Connection, suggestion_id: int, item_id: int) -> None:
    await conn.execute(
        "UPDATE content_assets SET item_id = $2 WHERE suggestion_id = $1", suggestion_id, item_id
    )
