"""SQL for reach: metric snapshots, shares due for polling, organisation reach settings, analytics figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.reach.schemas import DueShare, EngagementBefore, FigureRow, GroupBy, MetricSnapshot


async def save_reach_settings(conn: asyncpg.Connection, value: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO organisation (id, name, settings) VALUES (1, 'Organisation', jsonb_build_object('reach', $1::jsonb))"
        " ON CONFLICT (id) DO UPDATE SET settings = organisation.settings || jsonb_build_object('reach', $1::jsonb),"
        " updated_at = now()",
        value,
    )


async def shares_due_for_metrics(conn: asyncpg.Connection, now: datetime, limit: int) -> list[DueShare]:
    """Direct shares published in the last 30 days whose last snapshot is older than their age calls for:
    hourly on the first day, every 6 hours in the first week, daily after that."""
    records = await conn.fetch(
        """
        SELECT s.id AS share_id, s.person_id, s.network, s.external_post_id, a.id AS account_id
        FROM shares s
        JOIN connected_accounts a ON a.person_id = s.person_id AND a.network = s.network AND a.status = 'active'
        LEFT JOIN LATERAL (SELECT max(m.at) AS at FROM share_metrics m WHERE m.share_id = s.id) last ON true
        WHERE s.mode = 'direct' AND s.status = 'published' AND s.external_post_id IS NOT NULL
          AND s.published_at > $1::timestamptz - interval '30 days'
          AND (last.at IS NULL OR last.at < $1::timestamptz - CASE
                WHEN s.published_at > $1::timestamptz - interval '1 day' THEN interval '1 hour'
                WHEN s.published_at > $1::timestamptz - interval '7 days' THEN interval '6 hours'
                ELSE interval '1 day' END)
        ORDER BY last.at NULLS FIRST, s.id
        LIMIT $2
        """,
        now,
        limit,
    )
    return [msgspec.convert(r, DueShare) for r in records]


async def insert_snapshot(
    conn: asyncpg.Connection,
    share_id: int,
    network: str,
    *,
    likes: int,
    comments: int,
    reposts: int,
    impressions: int | None,
) -> None:
    await conn.execute(
        "INSERT INTO share_metrics (share_id, network, likes, comments, reposts, impressions)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        share_id,
        network,
        likes,
        comments,
        reposts,
        impressions,
    )


async def lock_share_metrics(conn: asyncpg.Connection, share_id: int) -> None:
    """One snapshot of a share at a time: its engagement points are the growth over the ones before."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('advocacy:share_metrics'), ($1::bigint % 2147483647)::int)",
        share_id,
    )


async def engagement_before(conn: asyncpg.Connection, share_id: int, person_id: int) -> EngagementBefore:
    """Served by share_metrics_share_idx and the shares primary key."""
    row = await conn.fetchrow(
        """
        SELECT COALESCE(m.high_water, 0) AS high_water, ci.campaign_id,
               EXISTS (SELECT 1 FROM consent_events e WHERE e.person_id = $2 AND e.kind = 'opted_out'
                       AND e.at >= COALESCE(m.last_at, s.published_at, s.created_at)) AS opted_out_since
        FROM shares s
        LEFT JOIN content_items ci ON ci.id = s.content_item_id
        LEFT JOIN LATERAL (SELECT max(x.likes + x.comments + x.reposts) AS high_water, max(x.at) AS last_at
                           FROM share_metrics x WHERE x.share_id = s.id) m ON true
        WHERE s.id = $1
        """,
        share_id,
        person_id,
    )
    if row is None:
        return EngagementBefore(high_water=0, opted_out_since=True, campaign_id=None)
    return msgspec.convert(row, EngagementBefore)


async def snapshots_of_share(conn: asyncpg.Connection, share_id: int) -> list[MetricSnapshot]:
    records = await conn.fetch(
        "SELECT at, likes, comments, reposts, impressions FROM share_metrics WHERE share_id = $1 ORDER BY at",
        share_id,
    )
    return [msgspec.convert(r, MetricSnapshot) for r in records]


async def accounts_needing_followers(conn: asyncpg.Connection, limit: int) -> list[int]:
    """fetch follower counts of connected accounts once a day (for reach estimates)."""
    records = await conn.fetch(
        "SELECT id FROM connected_accounts WHERE status = 'active'"
        " AND (followers_at IS NULL OR followers_at < now() - interval '1 day') ORDER BY followers_at NULLS FIRST LIMIT $1",
        limit,
    )
    return [r["id"] for r in records]


async def share_owner(conn: asyncpg.Connection, share_public_id: UUID) -> tuple[int, int] | None:
    record = await conn.fetchrow("SELECT id, person_id FROM shares WHERE public_id = $1", share_public_id)
    return None if record is None else (record["id"], record["person_id"])


async def internal_id(conn: asyncpg.Connection, table: str, public_id: UUID) -> int | None:
    sql = {
        "content_items": "SELECT id FROM content_items WHERE public_id = $1",
        "campaigns": "SELECT id FROM campaigns WHERE public_id = $1",
        "teams": "SELECT id FROM teams WHERE public_id = $1",
        "people": "SELECT id FROM people WHERE public_id = $1",
    }[table]
    found: int | None = await conn.fetchval(sql, public_id)
    return found


_GROUP_KEYS: dict[str, tuple[str, str]] = {
    "network": ("NULL::text", "NULL::text"),
    "share": ("s.public_id::text", "to_char(s.created_at, 'YYYY-MM-DD') || ' ' || s.network"),
    "content_item": ("ci.public_id::text", "ci.title"),
    "campaign": ("camp.public_id::text", "camp.name"),
    "team": ("t.public_id::text", "t.name"),
    "person": ("p.public_id::text", "p.display_name"),
}


async def figures(
    conn: asyncpg.Connection,
    *,
    since: datetime,
    until: datetime,
    group_by: GroupBy = "network",
    share_id: int | None = None,
    item_id: int | None = None,
    campaign_id: int | None = None,
    team_id: int | None = None,
    person_id: int | None = None,
) -> list[FigureRow]:
    """Per (group, network): shares made in [since, until) that went out, their unique clicks (counted,
    not bots, not the sharer's own) and latest measured metrics up to `until`, and the followers behind
    the shares that have no measured impressions (for the reach estimate)."""
    key, label = _GROUP_KEYS[group_by]
    records = await conn.fetch(
        f"""
        WITH s AS (
            SELECT s.id, s.public_id, s.network, s.person_id, s.created_at, {key} AS key, {label} AS label
            FROM shares s
            JOIN people p ON p.id = s.person_id
            JOIN content_items ci ON ci.id = s.content_item_id
            LEFT JOIN campaigns camp ON camp.id = ci.campaign_id
            LEFT JOIN teams t ON t.id = p.team_id
            WHERE s.created_at >= $1 AND s.created_at < $2
              AND (s.status = 'published' OR (s.mode = 'share_page' AND s.status = 'ready'))
              AND ($3::bigint IS NULL OR s.id = $3) AND ($4::bigint IS NULL OR s.content_item_id = $4)
              AND ($5::bigint IS NULL OR ci.campaign_id = $5) AND ($6::bigint IS NULL OR p.team_id = $6)
              AND ($7::bigint IS NULL OR s.person_id = $7)
        ),
        -- counted clicks before $2 from the rollup (0270): the share's total, less the days after $2's UTC
        -- day, less that day's clicks from $2 on (both empty for a range ending now)
        c AS (
            SELECT t.share_id, t.clicks - COALESCE(later.clicks, 0) - COALESCE(tail.clicks, 0) AS clicks
            FROM share_click_totals t
            LEFT JOIN (SELECT r.share_id, sum(r.clicks) AS clicks FROM share_click_days r
                       WHERE r.day > ($2::timestamptz AT TIME ZONE 'UTC')::date GROUP BY r.share_id) later
                   ON later.share_id = t.share_id
            LEFT JOIN (SELECT k.share_id, count(*) AS clicks FROM clicks k
                       WHERE k.counted AND NOT k.bot AND NOT k.self AND k.at >= $2
                         AND k.at < (date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') + interval '1 day')
                                    AT TIME ZONE 'UTC'
                       GROUP BY k.share_id) tail
                   ON tail.share_id = t.share_id
            WHERE t.share_id IN (SELECT id FROM s)
        ),
        m AS (
            SELECT DISTINCT ON (x.share_id) x.share_id, x.likes, x.comments, x.reposts, x.impressions
            FROM share_metrics x WHERE x.share_id IN (SELECT id FROM s) AND x.at < $2
            ORDER BY x.share_id, x.at DESC
        ),
        f AS (
            SELECT s.id, COALESCE(a.followers, d.followers, 0) AS followers FROM s
            LEFT JOIN connected_accounts a ON a.person_id = s.person_id AND a.network = s.network
            LEFT JOIN declared_audiences d ON d.person_id = s.person_id AND d.network = s.network
        )
        SELECT s.key, min(s.label) AS label, s.network, count(*) AS shares,
               COALESCE(sum(c.clicks), 0)::bigint AS unique_clicks,
               COALESCE(sum(m.likes), 0)::bigint AS likes, COALESCE(sum(m.comments), 0)::bigint AS comments,
               COALESCE(sum(m.reposts), 0)::bigint AS reposts, COALESCE(sum(m.impressions), 0)::bigint AS impressions,
               COALESCE(sum(f.followers) FILTER (WHERE m.impressions IS NULL), 0)::bigint AS estimate_followers
        FROM s LEFT JOIN c ON c.share_id = s.id LEFT JOIN m ON m.share_id = s.id JOIN f ON f.id = s.id
        GROUP BY s.key, s.network
        ORDER BY s.key NULLS FIRST, s.network
        """,
        since,
        until,
        share_id,
        item_id,
        campaign_id,
        team_id,
        person_id,
    )
    return [msgspec.convert(r, FigureRow) for r in records]
