"""Who may read the feed and who they are to it (their audience), and a feed page as Structs: shared by the
feed's API route and its web page, so both refuse and show exactly the same."""

from __future__ import annotations

import msgspec

from advocacy.ambassadors.service import refusal, status_from_row
from advocacy.auth.service import PrincipalCache
from advocacy.db.pool import Database
from advocacy.http.pagination import Page, page_of
from advocacy.people import service as people
from content_library.feed.cache import EncodedLine
from content_library.feed.schemas import FeedEntry, Reader
from content_library.ports import now


async def feed_reader(db: Database, principal_cache: PrincipalCache, person_id: int) -> Reader:
    """The reader's audience, from their cached profile; only an ambassador reads the feed
    (NotAnAmbassador says why not)."""
    me = await people.my_row(db, principal_cache, person_id)
    refused = refusal(status_from_row(me.consent, me.consent.active_charter_version, now()))
    if refused is not None:
        raise refused
    return Reader(
        person_id=person_id,
        team_id=me.team_id,
        location=me.person.location.lower() if me.person.location else None,
        language=me.person.language,
    )


def page_entries(lines: list[EncodedLine], shared: frozenset[int], limit: int) -> Page[FeedEntry]:
    """The page the API sends as bytes (page_json), as Structs, each entry marked when the reader shared it."""
    page = page_of(lines, limit, key=lambda line: line.key)
    return Page(
        items=[
            msgspec.structs.replace(line.entry, already_shared=True) if line.item_id in shared else line.entry
            for line in page.items
        ],
        next_cursor=page.next_cursor,
    )
