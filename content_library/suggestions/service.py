"""Decisions about suggestions: an ambassador suggests a link (with a note, maybe an image); a curator
turns it into a draft or declines it with a reason the ambassador sees."""

from __future__ import annotations

from uuid import UUID

import msgspec

from advocacy.core.errors import Conflict, NotFound
from advocacy.core.i18n import lazy_gettext
from content_library.images import service as images
from content_library.images.ingest import IngestedImage
from content_library.images.storage import Storage
from content_library.items import service as items
from content_library.items.schemas import ItemCreate, ItemRead
from content_library.items.text import check_captions, normalise_link
from content_library.ports import Enqueue, TeamIds, Transactional
from content_library.suggestions import queries
from content_library.suggestions.schemas import SuggestionRead


async def suggest(
    db: Transactional,
    person_id: int,
    link: str,
    note: str | None,
    *,
    image: tuple[IngestedImage, str] | None = None,
    storage: Storage | None = None,
    enqueue: Enqueue | None = None,
) -> SuggestionRead:
    """An ambassador's suggestion (the caller checked they opted in); lands in the curators' queue."""
    link = normalise_link(link)
    async with db.transaction() as conn:
        suggestion_id, public_id = await queries.insert_suggestion(conn, person_id, link, note)
        if image is not None and storage is not None and enqueue is not None:
            await images.insert_asset(
                conn,
                storage,
                image[0],
                image[1],
                item_id=None,
                suggestion_id=suggestion_id,
                actor_id=person_id,
                enqueue=enqueue,
            )
        found = await queries.suggestion(conn, public_id)
    assert found is not None
    return found


async def accept_suggestion(
    db: Transactional,
    public_id: UUID,
    body: ItemCreate | None,
    *,
    actor_id: int,
    teams: TeamIds,
    storage: Storage | None = None,
) -> ItemRead:
    """Turn a pending suggestion into a draft (the body, or a draft titled from the link and note)."""
    async with db.transaction() as conn:
        found = await queries.suggestion_for_update(conn, public_id)
        if found is None:
            raise NotFound(lazy_gettext("No such suggestion."))
        if found.status != "pending":
            raise Conflict(lazy_gettext("This suggestion was already %(status)s.", status=found.status))
        draft = body or ItemCreate(
            title=(found.note or found.link)[:200],
            link=found.link,
            summary=found.note,
        )
        if draft.link is None:
            draft = msgspec.structs.replace(draft, link=found.link)
        item = await items.create_draft(
            conn, draft, check_captions(draft.captions), actor_id=actor_id, teams=teams, storage=storage
        )
        row = await items.existing_row(conn, item.id)
        await images.move_suggestion_images(conn, found.id, row.id)
        await queries.decide_suggestion(
            conn, found.id, status="accepted", reason=None, item_id=row.id, by=actor_id
        )
        return await items.read_item(conn, row.id, storage)


async def decline_suggestion(
    db: Transactional, public_id: UUID, reason: str, *, actor_id: int
) -> SuggestionRead:
    async with db.transaction() as conn:
        found = await queries.suggestion_for_update(conn, public_id)
        if found is None:
            raise NotFound(lazy_gettext("No such suggestion."))
        if found.status != "pending":
            raise Conflict(lazy_gettext("This suggestion was already %(status)s.", status=found.status))
        await queries.decide_suggestion(
            conn, found.id, status="declined", reason=reason, item_id=None, by=actor_id
        )
        result = await queries.suggestion(conn, public_id)
    assert result is not None
    return result


async def suggestions_page(
    db: Transactional, *, person_id: int | None, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, SuggestionRead]]:
    """Suggestions newest first (one person's, or everyone's), with their ids for the cursor."""
    async with db.connection() as conn:
        return await queries.suggestions_page(
            conn, person_id=person_id, status=status, after_id=after_id, limit=limit
        )
