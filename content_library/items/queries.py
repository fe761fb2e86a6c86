"""SQL of items, and only SQL: an item, its captions and search document, the reads the API returns (with
images and renditions), the library search, versions and workflow transitions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.sql import update_columns
from content_library.items.schemas import (
    Caption,
    ItemRead,
    ItemRow,
    LibraryFilter,
    TransitionRead,
    VersionRead,
)
from content_library.sql import CAMPAIGN_BY_KEY, text_search

_ITEM_COLUMNS = {
    "title",
    "summary",
    "link",
    "campaign_id",
    "caption_policy",
    "allow_reshare",
    "status",
    "starts_at",
    "expires_at",
    "pinned",
    "priority",
    "tags",
    "hashtags",
    "networks",
    "audience_team_ids",
    "audience_locations",
    "audience_languages",
    "version",
    "source_id",
    "created_by",
    "updated_by",
    "submitted_by",
    "approved_by",
    "approved_at",
}


async def insert_item(conn: asyncpg.Connection, values: dict[str, Any]) -> tuple[int, UUID]:
    columns = [c for c in values if c in _ITEM_COLUMNS]
    placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
    row = await conn.fetchrow(
        f"INSERT INTO content_items ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id, public_id",
        *[values[c] for c in columns],
    )
    assert row is not None
    return row["id"], row["public_id"]


async def update_item(conn: asyncpg.Connection, item_id: int, changes: dict[str, Any]) -> None:
    await update_columns(conn, "content_items", item_id, changes, _ITEM_COLUMNS, touch=True)


async def item_row(conn: asyncpg.Connection, public_id: UUID, *, for_update: bool = False) -> ItemRow | None:
    row = await conn.fetchrow(
        "SELECT id, public_id, title, summary, link, campaign_id, caption_policy, allow_reshare, status,"
        " starts_at, expires_at, pinned, priority, tags, hashtags, networks, audience_team_ids,"
        " audience_locations, audience_languages, version, created_by, approved_at"
        " FROM content_items WHERE public_id = $1" + (" FOR UPDATE" if for_update else ""),
        public_id,
    )
    return msgspec.convert(row, ItemRow) if row else None


async def replace_captions(conn: asyncpg.Connection, item_id: int, captions: Sequence[Caption]) -> None:
    await conn.execute("DELETE FROM content_captions WHERE item_id = $1", item_id)
    await conn.execute(
        "INSERT INTO content_captions (item_id, network, language, body)"
        " SELECT $1, n, l, b FROM unnest($2::text[], $3::text[], $4::text[]) AS t(n, l, b)",
        item_id,
        [c.network for c in captions],
        [c.language for c in captions],
        [c.body for c in captions],
    )
    await conn.execute(
        "UPDATE content_items SET languages = COALESCE((SELECT array_agg(DISTINCT language ORDER BY language)"
        " FROM content_captions WHERE item_id = $1), '{}') WHERE id = $1",
        item_id,
    )


async def refresh_search_doc(conn: asyncpg.Connection, item_id: int) -> None:
    """Titles and summaries in both languages' configurations, captions in their own, tags as words."""
    await conn.execute(
        """
        UPDATE content_items ci SET search_doc =
            setweight(to_tsvector('french', library_unaccent(ci.title || ' ' || COALESCE(ci.summary, ''))), 'A')
            || setweight(to_tsvector('english', library_unaccent(ci.title || ' ' || COALESCE(ci.summary, ''))), 'A')
            || setweight(to_tsvector('simple', library_unaccent(array_to_string(ci.tags || ci.hashtags, ' '))), 'A')
            || setweight(to_tsvector('french', library_unaccent(COALESCE(
                (SELECT string_agg(body, ' ') FROM content_captions WHERE item_id = ci.id AND language = 'fr'), ''))), 'B')
            || setweight(to_tsvector('english', library_unaccent(COALESCE(
                (SELECT string_agg(body, ' ') FROM content_captions WHERE item_id = ci.id AND language = 'en'), ''))), 'B')
        WHERE ci.id = $1
        """,
        item_id,
    )


# The image JSON shared by item reads and the feed; $media is the URL prefix of stored files.
_IMAGES = """
COALESCE((
    SELECT json_agg(json_build_object(
        'id', a.public_id, 'position', a.position, 'url', {media} || a.storage_key,
        'content_type', a.content_type, 'width', a.width, 'height', a.height,
        'placeholder', a.placeholder, 'focal_x', a.focal_x, 'focal_y', a.focal_y,
        'alt_text', a.alt_text, 'renditions_state', a.renditions_state,
        'renditions_reason', a.renditions_reason,
        'near_duplicate_of', (SELECT d.public_id FROM content_assets d WHERE d.id = a.near_duplicate_of),
        'renditions', COALESCE((
            SELECT json_agg(json_build_object('name', r.name, 'format', r.format, 'width', r.width,
                                              'height', r.height, 'url', {media} || r.storage_key)
                            ORDER BY r.id)
            FROM content_renditions r WHERE r.asset_id = a.id), '[]'::json)
    ) ORDER BY a.position, a.id)
    FROM content_assets a WHERE a.item_id = ci.id), '[]'::json)
"""

_CAPTIONS = """
COALESCE((SELECT json_agg(json_build_object('network', cc.network, 'language', cc.language, 'body', cc.body)
                          ORDER BY cc.language, cc.network NULLS FIRST)
          FROM content_captions cc WHERE cc.item_id = ci.id), '[]'::json)
"""

_ITEM_READ = f"""
SELECT ci.id AS pk, ci.public_id AS id, ci.title, ci.summary, ci.link,
       CASE WHEN c.id IS NULL THEN NULL
            ELSE json_build_object('id', c.public_id, 'slug', c.slug, 'name', c.name) END AS campaign,
       ci.caption_policy, ci.allow_reshare, ci.status,
       (ci.status = 'approved' AND (ci.starts_at IS NULL OR ci.starts_at <= $2)
        AND (ci.expires_at IS NULL OR ci.expires_at > $2)) AS live,
       (ci.expires_at IS NOT NULL AND ci.expires_at <= $2) AS expired,
       ci.starts_at, ci.expires_at, ci.pinned, ci.priority, ci.tags, ci.hashtags, ci.networks,
       json_build_object(
           'teams', COALESCE((SELECT json_agg(t.public_id ORDER BY t.id) FROM team_refs t
                              WHERE t.id = ANY(ci.audience_team_ids)), '[]'::json),
           'locations', ci.audience_locations, 'languages', ci.audience_languages) AS audience,
       {_CAPTIONS} AS captions,
       {_IMAGES.format(media="$3::text")} AS images,
       ci.version, p.public_id AS created_by, ci.created_at, ci.updated_at, ci.approved_at
FROM content_items ci
LEFT JOIN campaigns c ON c.id = ci.campaign_id
LEFT JOIN person_refs p ON p.id = ci.created_by
WHERE ci.id = ANY($1::bigint[])
"""


async def items_read(
    conn: asyncpg.Connection, ids: Sequence[int], *, at: datetime, media: str
) -> list[ItemRead]:
    """The items with these ids, in the order given."""
    rows = await conn.fetch(_ITEM_READ, list(ids), at, media)
    by_id = {r["pk"]: msgspec.convert(dict(r), ItemRead) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


async def library_page(
    conn: asyncpg.Connection, flt: LibraryFilter, *, after_id: int | None, limit: int
) -> list[int]:
    """Ids of the items matching the filter, newest first."""
    rows = await conn.fetch(
        "SELECT ci.id FROM content_items ci WHERE ($1::bigint IS NULL OR ci.id < $1)"
        " AND ($2::text IS NULL OR ci.status = $2)"
        " AND ($3::text IS NULL OR ci.tags @> ARRAY[$3::text])"
        " AND ($4::text IS NULL OR ci.campaign_id = " + CAMPAIGN_BY_KEY.format(key="$4") + ")"
        " AND ($5::text IS NULL OR cardinality(ci.networks) = 0 OR $5 = ANY(ci.networks))"
        " AND ($6::text IS NULL OR $6 = ANY(ci.languages))"
        " AND ($7::uuid IS NULL OR ci.created_by = (SELECT id FROM person_refs WHERE public_id = $7))"
        " AND ($8::text IS NULL OR ci.search_doc @@ " + text_search("$8") + ")"
        " ORDER BY ci.id DESC LIMIT $9",
        after_id,
        flt.status,
        flt.tag,
        flt.campaign,
        flt.network,
        flt.language,
        flt.author,
        flt.q,
        limit,
    )
    return [r["id"] for r in rows]


# --- versions and transitions ------------------------------------------------------------------------


async def insert_version(
    conn: asyncpg.Connection, item_id: int, version: int, snapshot: Any, created_by: int | None
) -> None:
    await conn.execute(
        "INSERT INTO content_item_versions (item_id, version, snapshot, created_by) VALUES ($1, $2, $3, $4)",
        item_id,
        version,
        msgspec.to_builtins(snapshot),
        created_by,
    )


_VERSION = (
    "SELECT v.version, p.public_id AS created_by, v.created_at, v.snapshot"
    " FROM content_item_versions v LEFT JOIN person_refs p ON p.id = v.created_by"
)


async def versions_of_item(conn: asyncpg.Connection, item_id: int) -> list[VersionRead]:
    rows = await conn.fetch(_VERSION + " WHERE v.item_id = $1 ORDER BY v.version DESC", item_id)
    return [msgspec.convert(dict(r), VersionRead) for r in rows]


async def version_of_item(conn: asyncpg.Connection, item_id: int, version: int) -> VersionRead | None:
    row = await conn.fetchrow(_VERSION + " WHERE v.item_id = $1 AND v.version = $2", item_id, version)
    return msgspec.convert(dict(row), VersionRead) if row else None


async def insert_transition(
    conn: asyncpg.Connection,
    item_id: int,
    *,
    from_status: str | None,
    to_status: str,
    version: int,
    actor_id: int | None,
    comment: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO content_transitions (item_id, from_status, to_status, version, actor_id, comment)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        item_id,
        from_status,
        to_status,
        version,
        actor_id,
        comment,
    )


async def transitions_of_item(conn: asyncpg.Connection, item_id: int) -> list[TransitionRead]:
    rows = await conn.fetch(
        "SELECT t.from_status, t.to_status, t.version, p.public_id AS actor, t.comment, t.at"
        " FROM content_transitions t LEFT JOIN person_refs p ON p.id = t.actor_id"
        " WHERE t.item_id = $1 ORDER BY t.id",
        item_id,
    )
    return [msgspec.convert(r, TransitionRead) for r in rows]


async def languages_missing_alt_text(conn: asyncpg.Connection, item_id: int) -> list[str]:
    """Languages of the item's captions for which some image has no alt text."""
    rows = await conn.fetch(
        "SELECT DISTINCT l.language FROM content_items ci"
        " CROSS JOIN LATERAL unnest(CASE WHEN cardinality(ci.languages) = 0 THEN ARRAY['fr'] ELSE ci.languages END)"
        " AS l(language)"
        " JOIN content_assets a ON a.item_id = ci.id"
        " WHERE ci.id = $1 AND COALESCE(btrim(a.alt_text ->> l.language), '') = ''"
        " ORDER BY 1",
        item_id,
    )
    return [r["language"] for r in rows]


async def last_editor(conn: asyncpg.Connection, item_id: int) -> int | None:
    value: int | None = await conn.fetchval("SELECT updated_by FROM content_items WHERE id = $1", item_id)
    return value
