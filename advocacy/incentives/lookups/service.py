"""Names incentives takes from other domains: a campaign by its public id or slug (boards and challenges take
either), people and teams by public id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from advocacy.core.errors import Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.incentives.lookups import queries
from advocacy.incentives.schemas import CampaignRef

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
        found = await queries.campaign_by_slug(conn, ref)
    else:
        found = await queries.campaign_by_public_id(conn, public_id)
    if found is None:
        raise NotFound(lazy_gettext("No such campaign: %(ref)s", ref=ref))
    return found


async def team_id_of(conn: asyncpg.Connection, person_id: int) -> int | None:
    """The person's team (None when they have none)."""
    return await queries.team_id_of(conn, person_id)


async def team_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    return await queries.team_id_by_public_id(conn, public_id)


async def team_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> list[int]:
    """The internal ids of the teams named (unknown ones are left out)."""
    return await queries.team_ids_by_public_ids(conn, public_ids)


async def person_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    return await queries.person_id_by_public_id(conn, public_id)


async def person_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    return await queries.person_ids_by_public_ids(conn, public_ids)
