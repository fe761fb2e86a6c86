"""SQL for tracked links and clicks."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.incentives.anti_gaming.schemas import ClickSample
from advocacy.links.schemas import Click, LinkEntry, UnsettledClick


async def insert_link(conn: asyncpg.Connection, *, code: str, share_id: int, target: str) -> bool:
    """False when the code is taken (the caller draws another) or the share already has its link."""
    inserted = await conn.fetchval(
        "INSERT INTO tracked_links (code, share_id, target) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
        code,
        share_id,
        target,
    )
    return bool(inserted)


async def code_of_share(conn: asyncpg.Connection, share_id: int) -> str | None:
    code: str | None = await conn.fetchval("SELECT code FROM tracked_links WHERE share_id = $1", share_id)
    return code


async def link_entry(conn: asyncpg.Connection, code: str) -> LinkEntry | None:
    row = await conn.fetchrow(
        "SELECT l.share_id, s.person_id, l.target FROM tracked_links l JOIN shares s ON s.id = l.share_id"
        " WHERE l.code = $1",
        code,
    )
    return msgspec.convert(row, LinkEntry) if row else None


class PreviewSource(msgspec.Struct, frozen=True, kw_only=True):
    # None for a card share (its subject is a badge award, see card_source)
    item_public_id: UUID | None
    network: str
    language: str
    person_id: int
    target: str


async def preview_source(conn: asyncpg.Connection, code: str) -> PreviewSource | None:
    row = await conn.fetchrow(
        "SELECT ci.public_id AS item_public_id, s.network, s.language, s.person_id, l.target"
        " FROM tracked_links l JOIN shares s ON s.id = l.share_id"
        " LEFT JOIN content_items ci ON ci.id = s.content_item_id"
        " WHERE l.code = $1",
        code,
    )
    return msgspec.convert(row, PreviewSource) if row else None


class ApprovedContent(msgspec.Struct, frozen=True, kw_only=True):
    """What a reviewer last approved of an item, beside where the item stands now."""

    status: str
    approved: dict[str, Any] | None  # the snapshot of the last approved version (None: never approved)
    latest_images: list[Any] | None  # the images of the latest version


async def approved_content(conn: asyncpg.Connection, item_public_id: UUID) -> ApprovedContent | None:
    """The last approved snapshot of an item (content_transitions_item_idx), for the crawlers' preview: an edit
    waiting for review must not reach the networks."""
    row = await conn.fetchrow(
        """
        SELECT ci.status,
               (SELECT v.snapshot FROM content_transitions t
                JOIN content_item_versions v ON v.item_id = t.item_id AND v.version = t.version
                WHERE t.item_id = ci.id AND t.to_status = 'approved' ORDER BY t.id DESC LIMIT 1) AS approved,
               (SELECT v.snapshot -> 'images' FROM content_item_versions v
                WHERE v.item_id = ci.id ORDER BY v.version DESC LIMIT 1) AS latest_images
        FROM content_items ci WHERE ci.public_id = $1
        """,
        item_public_id,
    )
    return msgspec.convert(row, ApprovedContent) if row else None


class CardSource(msgspec.Struct, frozen=True, kw_only=True):
    """What a card share's public page and PNG are drawn from, and whether they may still be shown."""

    share_status: str
    sharer_opted_in: bool
    display_name: str
    badge: str
    period: str
    awarded_at: datetime
    language: str
    organisation: str
    settings: dict[str, Any]


async def card_source(conn: asyncpg.Connection, code: str) -> CardSource | None:
    """The card behind a tracked link's code; None when the code is not a card share's."""
    row = await conn.fetchrow(
        """
        SELECT s.status AS share_status, COALESCE(a.status = 'opted_in', false) AS sharer_opted_in,
               p.display_name, b.badge, b.period, b.awarded_at, s.language,
               COALESCE(o.name, '') AS organisation, COALESCE(o.settings, '{}'::jsonb) AS settings
        FROM tracked_links l
        JOIN shares s ON s.id = l.share_id
        JOIN badge_awards b ON b.id = s.badge_award_id
        JOIN people p ON p.id = s.person_id
        LEFT JOIN ambassadors a ON a.person_id = s.person_id
        LEFT JOIN organisation o ON o.id = 1
        WHERE l.code = $1
        """,
        code,
    )
    return msgspec.convert(dict(row), CardSource) if row else None


# A batch travels as one JSON parameter (msgspec writes it in C, each click an array in Click's field order,
# bytes in base64): asyncpg's codecs for nine parallel arrays cost the redirect's process several times more.
_FROM_JSON = """
SELECT (c->>0)::bigint, (c->>1)::timestamptz, decode(c->>2, 'base64'), decode(c->>3, 'base64'),
       (c->>4)::boolean, (c->>5)::boolean, (c->>6)::boolean, (c->>7)::boolean, decode(c->>8, 'base64')
FROM json_array_elements($1::text::json) AS c
"""
_INSERT = "INSERT INTO clicks (share_id, at, visitor_hash, visitor_hash_prev, counted, self, bot, preview, address_hash)"
# The batch's id goes in with its clicks, in the same statement: a spooled copy of it then writes nothing.
_INSERT_CLICKS = "WITH batch AS (INSERT INTO click_batches (id) VALUES ($2))\n" + _INSERT + _FROM_JSON
_INSERT_CLICK_ROWS = _INSERT + _FROM_JSON
_json = msgspec.json.Encoder()


def _batch(clicks: list[Click]) -> str:
    return _json.encode(clicks).decode()


async def insert_clicks(conn: asyncpg.Connection, batch_id: UUID, clicks: list[Click]) -> None:
    """One statement (one commit) for a whole batch of clicks, recording the batch's id."""
    await conn.execute(_INSERT_CLICKS, _batch(clicks), batch_id)


async def claim_click_batch(conn: asyncpg.Connection, batch_id: UUID) -> bool:
    """Record a spooled batch's id in the caller's transaction; False if that batch is already written
    (waits for an INSERT of it still in flight)."""
    inserted = await conn.fetchval(
        "INSERT INTO click_batches (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING true", batch_id
    )
    return bool(inserted)


async def insert_click_rows(conn: asyncpg.Connection, clicks: list[Click]) -> None:
    await conn.execute(_INSERT_CLICK_ROWS, _batch(clicks))


async def purge_click_batches(conn: asyncpg.Connection, keep_days: int) -> int:
    status: str = await conn.execute(
        "DELETE FROM click_batches WHERE written_at < now() - make_interval(days => $1)", keep_days
    )
    return int(status.split()[-1])


async def lock_settling(conn: asyncpg.Connection) -> None:
    """Settling is serialised across workers: the 24 h window is judged in click order."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('advocacy:clicks:settle'))")


_UNSETTLED = """
SELECT c.id, c.share_id, c.at, c.visitor_hash, c.visitor_hash_prev, c.address_hash,
       c.self OR EXISTS (SELECT 1 FROM share_sharer_visitors v
                         WHERE v.share_id = c.share_id AND v.visitor_hash = c.visitor_hash) AS self,
       s.person_id, s.network, ci.campaign_id, s.badge_award_id IS NOT NULL AS card,
       COALESCE(a.status = 'opted_in', false) AS sharer_tracked
FROM clicks c
JOIN shares s ON s.id = c.share_id
LEFT JOIN content_items ci ON ci.id = s.content_item_id
LEFT JOIN ambassadors a ON a.person_id = s.person_id
WHERE c.counted IS NULL
ORDER BY c.id
LIMIT $1
"""


async def unsettled_clicks(conn: asyncpg.Connection, limit: int) -> list[UnsettledClick]:
    rows = await conn.fetch(_UNSETTLED, limit)
    return [msgspec.convert(r, UnsettledClick) for r in rows]


async def last_counted_clicks(
    conn: asyncpg.Connection, share_ids: list[int], hashes: list[bytes], since: datetime
) -> dict[tuple[int, bytes], datetime]:
    """The latest counted click at or after `since` for each (share, visitor hash) pair asked about."""
    rows = await conn.fetch(
        """
        SELECT q.share_id, q.visitor_hash, max(c.at) AS at
        FROM unnest($1::bigint[], $2::bytea[]) AS q (share_id, visitor_hash)
        JOIN clicks c ON c.share_id = q.share_id AND c.visitor_hash = q.visitor_hash AND c.counted AND c.at >= $3
        GROUP BY q.share_id, q.visitor_hash
        """,
        share_ids,
        hashes,
        since,
    )
    return {(r["share_id"], bytes(r["visitor_hash"])): r["at"] for r in rows}


async def counted_clicks_per_address(
    conn: asyncpg.Connection, share_ids: list[int], hashes: list[bytes]
) -> dict[tuple[int, bytes], int]:
    """How many counted clicks each (share, address hash) pair already has: the hash changes every UTC day,
    so this is that address's count for the day (clicks_counted_address_idx)."""
    rows = await conn.fetch(
        """
        SELECT q.share_id, q.address_hash, count(c.id) AS n
        FROM unnest($1::bigint[], $2::bytea[]) AS q (share_id, address_hash)
        JOIN clicks c ON c.share_id = q.share_id AND c.address_hash = q.address_hash AND c.counted
        GROUP BY q.share_id, q.address_hash
        """,
        share_ids,
        hashes,
    )
    return {(r["share_id"], bytes(r["address_hash"])): int(r["n"]) for r in rows}


async def mark_settled(
    conn: asyncpg.Connection, ids: list[int], counted: list[bool], self_: list[bool]
) -> None:
    await conn.execute(
        """
        UPDATE clicks c SET counted = u.counted, self = u.self, visitor_hash_prev = NULL
        FROM unnest($1::bigint[], $2::boolean[], $3::boolean[]) AS u (id, counted, self)
        WHERE c.id = u.id
        """,
        ids,
        counted,
        self_,
    )


async def add_sharer_visitor(conn: asyncpg.Connection, share_id: int, visitor_hash: bytes) -> None:
    await conn.execute(
        "INSERT INTO share_sharer_visitors (share_id, visitor_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        share_id,
        visitor_hash,
    )


async def recent_person_clicks(
    conn: asyncpg.Connection, share_ids: list[int], per_share: int
) -> dict[int, list[ClickSample]]:
    """Each share's latest `per_share` settled clicks made by people (bots and the sharer's own left out,
    repeats kept: they are what the anti-gaming check looks for). Served by clicks_share_at_idx."""
    rows = await conn.fetch(
        """
        SELECT s.id AS share_id, x.visitor_hash, x.at
        FROM unnest($1::bigint[]) AS s (id)
        CROSS JOIN LATERAL (
            -- one address with many browsers is one visitor here (clicks recorded before addresses were
            -- hashed fall back to the browser)
            SELECT COALESCE(c.address_hash, c.visitor_hash) AS visitor_hash, c.at FROM clicks c
            WHERE c.share_id = s.id AND NOT c.bot AND NOT c.self AND c.counted IS NOT NULL
            ORDER BY c.at DESC LIMIT $2
        ) x
        """,
        share_ids,
        per_share,
    )
    samples: dict[int, list[ClickSample]] = {}
    for r in rows:
        samples.setdefault(r["share_id"], []).append(
            ClickSample(visitor=bytes(r["visitor_hash"]).hex(), at=r["at"])
        )
    return samples
