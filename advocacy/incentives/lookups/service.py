"""Names incentives takes from other domains, through their services: a campaign by its public id or slug
(boards and challenges take either; content_library.campaigns), people and teams by public id (people)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from advocacy.core.errors import Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.incentives.schemas import CampaignRef
from advocacy.people import service as people
from content_library.campaigns import service as campaigns

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


async def campaign_of(conn: asyncpg.Connection, ref: str) -> tuple[int, CampaignRef]:
    """(internal id, public reference) of a campaign named by its public id (UUID) or its slug."""
    try:
        public_id = UUID(ref)
    except ValueError:
        if not SLUG.match(ref):
            raise Invalid(
                lazy_gettext(
                    "A campaign is named by its id (a UUID) or its slug (lower-case letters, digits and dashes)"
                )
            ) from None
        found = await campaigns.campaign_key(conn, slug=ref)
    else:
        found = await campaigns.campaign_key(conn, public_id=public_id)
    if found is None:
        raise NotFound(lazy_gettext("No such campaign: %(ref)s", ref=ref))
    campaign_id, campaign_public_id, slug = found
    return campaign_id, CampaignRef(id=campaign_public_id, slug=slug)


async def team_id_of(conn: asyncpg.Connection, person_id: int) -> int | None:
    """The person's team (None when they have none)."""
    return await people.team_id_of(conn, person_id)


async def team_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    return (await people.team_ids(conn, [public_id])).get(public_id)


async def team_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> list[int]:
    """The internal ids of the teams named (unknown ones are left out)."""
    return list((await people.team_ids(conn, public_ids)).values())


async def person_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    return await people.person_id_by_public_id(conn, public_id)


async def person_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    return await people.person_ids(conn, public_ids)
