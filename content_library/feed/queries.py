"""SQL of the feed, and only SQL: live items for a reader, when the live set next changes, and one item
as the share flow reads it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from content_library.feed.schemas import FeedFilter, FeedRow, Reader, ShareableRow
from content_library.sql import CAMPAIGN_BY_KEY, text_search


async def next_live_change(conn: asyncpg.Connection, at: datetime) -> datetime | None:
    """The first instant after `at` at which an approved item starts or stops being live (None: never)."""
    value: datetime | None = await conn.fetchval(
        "SELECT least(min(starts_at) FILTER (WHERE starts_at > $1), min(expires_at) FILTER (WHERE expires_at > $1))"
        " FROM content_items WHERE status = 'approved'",
        at,
    )
    return value


_VISIBLE = """
ci.status = 'approved'
AND (ci.starts_at IS NULL OR ci.starts_at <= $1) AND (ci.expires_at IS NULL OR ci.expires_at > $1)
AND content_audience_includes(ci.audience_team_ids, ci.audience_locations, ci.audience_languages,
                              $2::bigint, $3::text, $4::text)
AND ci.languages && ARRAY[$4::text, $5::text]
"""

_FEED = f"""
WITH page AS (
    SELECT ci.* FROM content_items ci
    WHERE {_VISIBLE}
      AND ($6::text IS NULL OR ci.tags @> ARRAY[$6::text])
      AND ($7::text IS NULL OR ci.campaign_id = {CAMPAIGN_BY_KEY.format(key="$7")})
      AND ($8::text IS NULL OR cardinality(ci.networks) = 0 OR $8 = ANY(ci.networks))
      AND ($15::text IS NULL OR $15 = ANY(ci.languages))
      AND ($16::uuid IS NULL OR ci.public_id = $16)
      AND {{search}}
      AND ($10::boolean IS NULL OR (ci.pinned, ci.priority, ci.feed_at, ci.id) < ($10, $11::smallint, $12::timestamptz, $13::bigint))
    ORDER BY ci.pinned DESC, ci.priority DESC, ci.feed_at DESC, ci.id DESC
    LIMIT $14
)
SELECT ci.id, ci.public_id, ci.title, ci.summary, ci.link, ci.caption_policy, ci.allow_reshare,
       ci.hashtags, ci.tags, ci.networks, ci.pinned, ci.priority, ci.feed_at, ci.starts_at, ci.expires_at,
       ci.languages,
       CASE WHEN c.id IS NULL THEN NULL
            ELSE json_build_object('id', c.public_id, 'slug', c.slug, 'name', c.name) END AS campaign,
       COALESCE((SELECT json_agg(json_build_object('network', cc.network, 'language', cc.language, 'body', cc.body))
                 FROM content_captions cc WHERE cc.item_id = ci.id AND cc.language IN ($4, $5, $15)), '[]'::json) AS captions,
       COALESCE((
           SELECT json_agg(json_build_object(
               'id', a.public_id, 'alt_text', a.alt_text, 'placeholder', a.placeholder,
               'ready', a.renditions_state = 'ready',
               'renditions', COALESCE((SELECT json_agg(json_build_object('name', r.name, 'format', r.format,
                   'width', r.width, 'height', r.height, 'key', r.storage_key))
                   FROM content_renditions r WHERE r.asset_id = a.id), '[]'::json)
           ) ORDER BY a.position, a.id)
           FROM content_assets a WHERE a.item_id = ci.id), '[]'::json) AS images
FROM page ci LEFT JOIN campaigns c ON c.id = ci.campaign_id
ORDER BY ci.pinned DESC, ci.priority DESC, ci.feed_at DESC, ci.id DESC
"""

# Two fixed statements rather than `($9 IS NULL OR search_doc @@ ...)`: planning the text-search
# expression costs more than running the whole unfiltered feed query.
_FEED_SEARCH = _FEED.format(search=f"ci.search_doc @@ {text_search('$9::text')}")
_FEED_ALL = _FEED.format(search="$9::text IS NULL")


async def feed_rows(
    conn: asyncpg.Connection,
    who: Reader,
    *,
    default_language: str,
    flt: FeedFilter,
    after: tuple[bool, int, datetime, int] | None,
    limit: int,
    at: datetime,
) -> list[FeedRow]:
    """Live approved items in the reader's audience, pinned first then newest (live_items_for_person)."""
    rows = await conn.fetch(
        _FEED_SEARCH if flt.q else _FEED_ALL,
        at,
        who.team_id,
        who.location,
        who.language,
        default_language,
        flt.tag,
        flt.campaign,
        flt.network,
        flt.q,
        after[0] if after else None,
        after[1] if after else None,
        after[2] if after else None,
        after[3] if after else None,
        limit,
        flt.language,
        flt.item,
    )
    return [msgspec.convert(dict(r), FeedRow) for r in rows]


_SHAREABLE = """
SELECT ci.id, ci.public_id, ci.title, ci.summary, ci.link, ci.caption_policy, ci.allow_reshare,
       ci.campaign_id, c.slug AS campaign_slug, ci.tags, ci.hashtags, ci.networks, ci.languages,
       (ci.status = 'approved' AND (ci.starts_at IS NULL OR ci.starts_at <= $2)
        AND (ci.expires_at IS NULL OR ci.expires_at > $2)) AS live,
       ((cardinality(ci.audience_team_ids) = 0 OR $3::bigint = ANY(ci.audience_team_ids))
        AND (cardinality(ci.audience_locations) = 0 OR $4::text = ANY(ci.audience_locations))
        AND (cardinality(ci.audience_languages) = 0 OR $5::text = ANY(ci.audience_languages))) AS in_audience,
       COALESCE((SELECT json_agg(json_build_object('network', cc.network, 'language', cc.language, 'body', cc.body))
                 FROM content_captions cc WHERE cc.item_id = ci.id), '[]'::json) AS captions,
       (SELECT r.storage_key FROM content_assets a JOIN content_renditions r ON r.asset_id = a.id
        WHERE a.item_id = ci.id AND r.name = 'link' AND r.format = 'jpeg'
        ORDER BY a.position, a.id LIMIT 1) AS link_key
FROM content_items ci
LEFT JOIN campaigns c ON c.id = ci.campaign_id
WHERE ci.public_id = $1
"""


async def shareable_row(
    conn: asyncpg.Connection,
    public_id: UUID,
    *,
    at: datetime,
    team_id: int | None,
    location: str | None,
    language: str | None,
) -> ShareableRow | None:
    """The item, live or not at `at`, and whether a person of this team, location and language is in its
    audience (None for all three: nobody is)."""
    row = await conn.fetchrow(_SHAREABLE, public_id, at, team_id, location, language)
    return msgspec.convert(dict(row), ShareableRow) if row else None
