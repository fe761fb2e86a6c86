"""Decisions about campaigns: created and changed by curators (a campaign ends after it starts), and
named by the items and sources that belong to one."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec
from msgspec import UNSET

from advocacy.core.errors import Conflict, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from content_library.campaigns import queries
from content_library.campaigns.schemas import CampaignCreate, CampaignRead, CampaignUpdate
from content_library.ports import Transactional


async def create_campaign(db: Transactional, body: CampaignCreate, *, actor_id: int | None) -> CampaignRead:
    if body.starts_at and body.ends_at and body.ends_at <= body.starts_at:
        raise Invalid(lazy_gettext("A campaign must end after it starts."))
    async with db.transaction() as conn:
        campaign = await queries.insert_campaign(conn, msgspec.structs.asdict(body), actor_id)
    if campaign is None:
        raise Conflict(lazy_gettext("A campaign with the slug %(slug)s already exists.", slug=body.slug))
    return campaign


async def update_campaign(db: Transactional, public_id: UUID, body: CampaignUpdate) -> CampaignRead:
    changes = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not UNSET}
    async with db.transaction() as conn:
        current = await queries.campaign_by_public_id(conn, public_id)
        if current is None:
            raise NotFound(lazy_gettext("No such campaign."))
        starts = changes.get("starts_at", current.starts_at)
        ends = changes.get("ends_at", current.ends_at)
        if starts and ends and ends <= starts:
            raise Invalid(lazy_gettext("A campaign must end after it starts."))
        updated = await queries.update_campaign(conn, public_id, changes)
    assert updated is not None
    return updated


async def campaign_id_of(conn: asyncpg.Connection, key: str | None) -> int | None:
    """The internal id of the campaign a body names by public id or slug; Invalid if there is none."""
    if key is None:
        return None
    campaign_id = await queries.campaign_id_by_key(conn, key)
    if campaign_id is None:
        raise Invalid(lazy_gettext("No such campaign."), extra={"field": "campaign"})
    return campaign_id


async def campaign_key(
    conn: asyncpg.Connection, *, public_id: UUID | None = None, slug: str | None = None
) -> tuple[int, UUID, str] | None:
    """(internal id, public id, slug) of the campaign with this public id, or else this slug (None: none)."""
    return await queries.campaign_key(conn, public_id=public_id, slug=slug)


async def campaign_slug(conn: asyncpg.Connection, campaign_id: int) -> str | None:
    """The slug of a campaign by internal id (tracked links carry it as utm_campaign)."""
    return await queries.campaign_slug(conn, campaign_id)


async def get_campaign(db: Transactional, public_id: UUID) -> CampaignRead:
    async with db.connection() as conn:
        found = await queries.campaign_by_public_id(conn, public_id)
    if found is None:
        raise NotFound(lazy_gettext("No such campaign."))
    return found


async def campaigns_page(
    db: Transactional, *, after_id: int | None, limit: int
) -> list[tuple[int, CampaignRead]]:
    """Campaigns newest first, with their ids for the cursor."""
    async with db.connection() as conn:
        return await queries.campaigns_page(conn, after_id=after_id, limit=limit)
