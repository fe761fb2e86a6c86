"""SQL for shares, their verdict history, sharing preferences, and the audit log compliance reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.shares.schemas import LIVE_STATUSES, SHARED_STATUSES, AuditEntry, AuditFilter, ShareRow

_SHARE = """
SELECT s.id, s.public_id, s.person_id, p.public_id AS person_public_id, p.display_name AS person_name,
       s.content_item_id, ci.public_id AS item_public_id, ci.title AS item_title, ci.link AS item_link,
       ci.campaign_id, s.badge_award_id, b.public_id AS badge_public_id, b.badge AS badge_code, s.network, s.mode, s.status, s.language, s.caption, s.images, s.verdict,
       ch.version AS charter_version, s.warning_acknowledged, s.scheduled_for, s.ready_at, s.published_at,
       s.withdrawn_at, s.reviewed_at, s.status_reason, s.external_post_id, s.external_post_url,
       l.code AS link_code, s.created_at
FROM shares s
JOIN people p ON p.id = s.person_id
LEFT JOIN content_items ci ON ci.id = s.content_item_id
LEFT JOIN badge_awards b ON b.id = s.badge_award_id
LEFT JOIN charters ch ON ch.id = s.charter_id
LEFT JOIN tracked_links l ON l.share_id = s.id
"""


def _row(record: asyncpg.Record) -> ShareRow:
    return msgspec.convert(dict(record), ShareRow)


async def lock_person_shares(conn: asyncpg.Connection, person_id: int) -> None:
    """One share decision at a time per person: the re-share rule and the daily limits count what exists."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('advocacy:shares'), $1::int)", person_id % 2_000_000_000
    )


async def person_timezone(conn: asyncpg.Connection, person_id: int) -> str | None:
    tz: str | None = await conn.fetchval("SELECT timezone FROM people WHERE id = $1", person_id)
    return tz


async def set_sharing_settings(conn: asyncpg.Connection, sharing: dict[str, Any]) -> None:
    await conn.execute(
        """
        INSERT INTO organisation (id, name, settings) VALUES (1, 'Organisation', jsonb_build_object('sharing', $1::jsonb))
        ON CONFLICT (id) DO UPDATE SET settings = organisation.settings || jsonb_build_object('sharing', $1::jsonb),
                                       updated_at = now()
        """,
        sharing,
    )


async def already_shared(conn: asyncpg.Connection, person_id: int, item_id: int, network: str) -> bool:
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM shares WHERE person_id = $1 AND content_item_id = $2 AND network = $3"
        " AND status = ANY($4::text[]))",
        person_id,
        item_id,
        network,
        list(LIVE_STATUSES),
    )
    return bool(found)


async def already_shared_card(conn: asyncpg.Connection, badge_award_id: int, network: str) -> bool:
    """already_shared_card: the award's card is live on this network (shares_badge_award_idx)."""
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM shares WHERE badge_award_id = $1 AND network = $2"
        " AND status = ANY($3::text[]))",
        badge_award_id,
        network,
        list(LIVE_STATUSES),
    )
    return bool(found)


async def shares_on_day(
    conn: asyncpg.Connection, person_id: int, begins: datetime, ends: datetime, network: str
) -> tuple[int, int]:
    """(all networks, this network): the person's live shares going out that day (scheduled ones on theirs)."""
    row = await conn.fetchrow(
        """
        SELECT count(*) AS total, count(*) FILTER (WHERE network = $4) AS on_network
        FROM shares
        WHERE person_id = $1 AND status = ANY($5::text[])
          AND COALESCE(scheduled_for, created_at) >= $2 AND COALESCE(scheduled_for, created_at) < $3
        """,
        person_id,
        begins,
        ends,
        network,
        list(LIVE_STATUSES),
    )
    assert row is not None
    return row["total"], row["on_network"]


async def images_of_item(conn: asyncpg.Connection, item_id: int, images: list[UUID]) -> int:
    found: int = await conn.fetchval(
        "SELECT count(*) FROM content_assets WHERE item_id = $1 AND public_id = ANY($2::uuid[])",
        item_id,
        images,
    )
    return found


async def insert_share(
    conn: asyncpg.Connection,
    *,
    person_id: int,
    item_id: int | None,
    badge_award_id: int | None,
    network: str,
    mode: str,
    status: str,
    language: str,
    caption: str,
    images: list[UUID],
    charter_id: int | None,
    verdict: dict[str, Any],
    warning_acknowledged: bool,
    scheduled_for: datetime | None,
) -> tuple[int, UUID]:
    row = await conn.fetchrow(
        """
        INSERT INTO shares (person_id, content_item_id, badge_award_id, network, mode, status, language, caption,
                            images, charter_id, verdict, warning_acknowledged, scheduled_for)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        RETURNING id, public_id
        """,
        person_id,
        item_id,
        badge_award_id,
        network,
        mode,
        status,
        language,
        caption,
        images,
        charter_id,
        verdict,
        warning_acknowledged,
        scheduled_for,
    )
    assert row is not None
    return row["id"], row["public_id"]


async def insert_verdict(
    conn: asyncpg.Connection,
    *,
    share_id: int,
    charter_id: int | None,
    charter_version: int | None,
    outcome: str,
    verdict: dict[str, Any],
    checked_text: str,
) -> None:
    await conn.execute(
        "INSERT INTO share_verdicts (share_id, charter_id, charter_version, outcome, verdict, checked_text)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        share_id,
        charter_id,
        charter_version,
        outcome,
        verdict,
        checked_text,
    )


async def verdict_count(conn: asyncpg.Connection, share_id: int) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM share_verdicts WHERE share_id = $1", share_id)
    return count


async def share_by_public_id(
    conn: asyncpg.Connection, public_id: UUID, *, for_update: bool = False
) -> ShareRow | None:
    if for_update:
        await conn.execute("SELECT 1 FROM shares WHERE public_id = $1 FOR UPDATE", public_id)
    row = await conn.fetchrow(_SHARE + " WHERE s.public_id = $1", public_id)
    return _row(row) if row else None


async def share_by_id(conn: asyncpg.Connection, share_id: int) -> ShareRow | None:
    row = await conn.fetchrow(_SHARE + " WHERE s.id = $1", share_id)
    return _row(row) if row else None


async def shares_of_person(
    conn: asyncpg.Connection, person_id: int, *, status: str | None, after_id: int | None, limit: int
) -> list[ShareRow]:
    """shares_of_person: newest first."""
    rows = await conn.fetch(
        _SHARE + " WHERE s.person_id = $1 AND ($2::text IS NULL OR s.status = $2)"
        " AND ($3::bigint IS NULL OR s.id < $3) ORDER BY s.id DESC LIMIT $4",
        person_id,
        status,
        after_id,
        limit,
    )
    return [_row(r) for r in rows]


async def shares_page(
    conn: asyncpg.Connection, *, status: str, after_id: int | None, limit: int
) -> list[ShareRow]:
    """held_shares_page (compliance queue): oldest first."""
    rows = await conn.fetch(
        _SHARE + " WHERE s.status = $1 AND ($2::bigint IS NULL OR s.id > $2) ORDER BY s.id LIMIT $3",
        status,
        after_id,
        limit,
    )
    return [_row(r) for r in rows]


async def set_status(
    conn: asyncpg.Connection,
    share_id: int,
    status: str,
    *,
    reason: str | None = None,
    reviewed_by: int | None = None,
    scheduled_for: datetime | None = None,
) -> None:
    await conn.execute(
        """
        UPDATE shares SET status = $2,
               status_reason = COALESCE($3, status_reason),
               reviewed_by = COALESCE($4, reviewed_by),
               reviewed_at = CASE WHEN $4::bigint IS NULL THEN reviewed_at ELSE now() END,
               scheduled_for = COALESCE($5, scheduled_for),
               ready_at = CASE WHEN $2 = 'ready' THEN now() ELSE ready_at END,
               withdrawn_at = CASE WHEN $2 = 'withdrawn' THEN now() ELSE withdrawn_at END,
               updated_at = now()
        WHERE id = $1
        """,
        share_id,
        status,
        reason,
        reviewed_by,
        scheduled_for,
    )


async def set_published(
    conn: asyncpg.Connection, share_id: int, *, post_url: str | None, post_id: str | None
) -> None:
    await conn.execute(
        """
        UPDATE shares SET status = 'published', published_at = COALESCE(published_at, now()),
               external_post_url = COALESCE($2, external_post_url), external_post_id = COALESCE($3, external_post_id),
               updated_at = now()
        WHERE id = $1
        """,
        share_id,
        post_url,
        post_id,
    )


async def due_scheduled_shares(conn: asyncpg.Connection, at: datetime, limit: int) -> list[int]:
    """due_scheduled_shares (cron release): locked, so two workers never release one share twice."""
    rows = await conn.fetch(
        "SELECT id FROM shares WHERE status = 'scheduled' AND scheduled_for <= $1 ORDER BY scheduled_for, id"
        " LIMIT $2 FOR UPDATE SKIP LOCKED",
        at,
        limit,
    )
    return [r["id"] for r in rows]


async def mastodon_instance(conn: asyncpg.Connection, person_id: int) -> str | None:
    host: str | None = await conn.fetchval(
        "SELECT mastodon_instance FROM share_preferences WHERE person_id = $1", person_id
    )
    return host


async def upsert_preferences(conn: asyncpg.Connection, person_id: int, mastodon_instance: str | None) -> None:
    await conn.execute(
        """
        INSERT INTO share_preferences (person_id, mastodon_instance) VALUES ($1, $2)
        ON CONFLICT (person_id) DO UPDATE SET mastodon_instance = EXCLUDED.mastodon_instance, updated_at = now()
        """,
        person_id,
        mastodon_instance,
    )


_AUDIT = """
SELECT a.id, a.at, p.public_id AS actor, p.display_name AS actor_name, a.action, a.subject_type, a.subject_id,
       a.detail
FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id
WHERE ($1::text IS NULL OR a.action = $1)
  AND ($2::text IS NULL OR a.subject_type = $2)
  AND ($3::text IS NULL OR a.subject_id = $3)
  AND ($4::uuid IS NULL OR p.public_id = $4)
  AND ($5::timestamptz IS NULL OR a.at >= $5)
  AND ($6::timestamptz IS NULL OR a.at < $6)
  AND ($7::bigint IS NULL OR a.id > $7)
ORDER BY a.id
LIMIT $8
"""


async def audit_page(
    conn: asyncpg.Connection, flt: AuditFilter, *, after_id: int | None, limit: int
) -> list[AuditEntry]:
    """audit_page filtered by action / subject (audit_log_action_idx), oldest first."""
    rows = await conn.fetch(
        _AUDIT, flt.action, flt.subject_type, flt.subject_id, flt.actor, flt.since, flt.until, after_id, limit
    )
    return [msgspec.convert(dict(r), AuditEntry) for r in rows]


_SHARED_ITEMS = (
    "SELECT DISTINCT content_item_id FROM shares WHERE person_id = $1 AND content_item_id IS NOT NULL"
    " AND status IN (" + ", ".join(f"'{status}'" for status in SHARED_STATUSES) + ")"
)


async def shared_item_ids(conn: asyncpg.Connection, person_id: int) -> frozenset[int]:
    """Every item the person already shared, to any network (served by shares_person_item_idx)."""
    return frozenset(r["content_item_id"] for r in await conn.fetch(_SHARED_ITEMS, person_id))
