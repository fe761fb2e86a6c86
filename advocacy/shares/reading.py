"""A share as its sharer and the reviewers read it: the stored row with its tracked link, its share page and
its card; one share of mine, and my shares page by page."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from advocacy.auth.schemas import Principal
from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.incentives.badges.service import badge_name
from advocacy.links import service as links
from advocacy.shares import queries
from advocacy.shares.schemas import ShareRead, ShareRow
from advocacy.shares.sharepage import share_page


def to_read(row: ShareRow, *, public_base_url: str, mastodon_instance: str | None) -> ShareRead:
    link = links.link_url(public_base_url, row.link_code) if row.link_code else None
    page_url: str | None = None
    caption_for_copy: str | None = None
    if row.mode == "share_page" and row.status in ("ready", "published"):
        page = share_page(row.network, caption=row.caption, link=link, mastodon_instance=mastodon_instance)
        page_url, caption_for_copy = page.url, page.caption_for_copy
    return ShareRead(
        id=row.public_id,
        item=row.item_public_id,
        item_title=row.item_title,
        badge=row.badge_public_id,
        badge_name=badge_name(row.badge_code, row.language) if row.badge_code else None,
        network=row.network,
        mode=row.mode,
        status=row.status,
        language=row.language,
        caption=row.caption,
        images=row.images,
        verdict=row.verdict,
        charter_version=row.charter_version,
        warning_acknowledged=row.warning_acknowledged,
        created_at=row.created_at,
        scheduled_for=row.scheduled_for,
        ready_at=row.ready_at,
        published_at=row.published_at,
        withdrawn_at=row.withdrawn_at,
        status_reason=row.status_reason,
        post_url=row.external_post_url,
        link=link,
        share_url=page_url,
        caption_for_copy=caption_for_copy,
        card_image=(
            links.card_image_url(public_base_url, row.link_code)
            if row.badge_award_id is not None and row.link_code
            else None
        ),
    )


async def read_share(conn: asyncpg.Connection, share_id: int, public_base_url: str) -> ShareRead:
    row = await queries.share_by_id(conn, share_id)
    assert row is not None
    return to_read(
        row,
        public_base_url=public_base_url,
        mastodon_instance=await queries.mastodon_instance(conn, row.person_id),
    )


async def own_share(db: Database, principal: Principal, share: UUID, *, public_base_url: str) -> ShareRead:
    """One of my shares; another person's is "not found" (its existence is not theirs to learn)."""
    async with db.connection() as conn:
        row = await queries.share_by_public_id(conn, share)
        if row is None or row.person_id != principal.person_id:
            raise NotFound(lazy_gettext("There is no such share of yours"))
        return to_read(
            row,
            public_base_url=public_base_url,
            mastodon_instance=await queries.mastodon_instance(conn, row.person_id),
        )


async def my_shares(
    db: Database,
    principal: Principal,
    *,
    status: str | None,
    after_id: int | None,
    limit: int,
    public_base_url: str,
) -> list[tuple[int, ShareRead]]:
    async with db.connection() as conn:
        rows = await queries.shares_of_person(
            conn, principal.person_id, status=status, after_id=after_id, limit=limit
        )
        instance = await queries.mastodon_instance(conn, principal.person_id)
    return [(r.id, to_read(r, public_base_url=public_base_url, mastodon_instance=instance)) for r in rows]
