"""This process's cache of feed pages (one page serves every reader of an audience) and of what each
reader already shared.

A page depends on the reader's audience (team, location, language), the organisation's default language,
the filters and the cursor, never on who reads it. It is dropped when PostgreSQL says the library changed
(NOTIFY content_changed on commit, migration 0050), when the first item starts or stops being live (every
page goes at that instant), or after `ttl` seconds, whichever comes first. A reader's set of shared items
is dropped when their shares change (NOTIFY shares_changed) or after `ttl`. While the notifications cannot
be heard, nothing is cached. Changes made through this process are seen by its next request at once
(forget_after_writes); other processes hear of them by NOTIFY, within milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from datetime import datetime
from typing import NamedTuple

import msgspec
from litestar.types import Message, Scope

from advocacy.ambassadors.service import refusal, status_from_row
from advocacy.auth.service import PrincipalCache
from advocacy.db.pool import Database
from advocacy.http.pagination import Page, page_of
from advocacy.people import service as people
from content_library import queries, service
from content_library.schemas import FeedEntry, FeedFilter, Language, Reader
from content_library.service import FeedKey, FeedLine
from content_library.storage import Storage


class EncodedLine(NamedTuple):
    """A feed line as JSON, both ways: the API's page is assembled from bytes, never encoded per request;
    the web page reads the entry itself."""

    key: FeedKey
    item_id: int
    not_shared: bytes
    shared: bytes
    entry: FeedEntry


def encode_lines(lines: list[FeedLine]) -> list[EncodedLine]:
    encode = msgspec.json.encode
    return [
        EncodedLine(
            line.key,
            line.item_id,
            encode(line.entry),
            encode(msgspec.structs.replace(line.entry, already_shared=True)),
            line.entry,
        )
        for line in lines
    ]


def page_json(lines: list[EncodedLine], shared: frozenset[int], limit: int) -> bytes:
    """The JSON of Page[FeedEntry] for up to limit+1 lines (the extra one only says a next page exists)."""
    page = page_of(lines, limit, key=lambda line: line.key)
    items = b",".join(line.shared if line.item_id in shared else line.not_shared for line in page.items)
    cursor = msgspec.json.encode(page.next_cursor)
    return b'{"items":[' + items + b'],"next_cursor":' + cursor + b"}"


def page_entries(lines: list[EncodedLine], shared: frozenset[int], limit: int) -> Page[FeedEntry]:
    """The same page as page_json, as Structs (for the web page)."""
    page = page_of(lines, limit, key=lambda line: line.key)
    return Page(
        items=[
            msgspec.structs.replace(line.entry, already_shared=True) if line.item_id in shared else line.entry
            for line in page.items
        ],
        next_cursor=page.next_cursor,
    )


async def feed_reader(db: Database, principal_cache: PrincipalCache, person_id: int) -> Reader:
    """Who reads the feed, from the cached profile; only an ambassador may (NotAnAmbassador says why not)."""
    me = await people.my_row(db, principal_cache, person_id)
    refused = refusal(status_from_row(me, me["active_charter_version"], service.now()))
    if refused is not None:
        raise refused
    return Reader(
        person_id=person_id,
        team_id=me["team_id"],
        location=me["location"].lower() if me["location"] else None,
        language=me["language"],
    )


CONTENT_CHANNEL = "content_changed"
SHARES_CHANNEL = "shares_changed"
LIBRARY_PATHS = "/api/v1/content/"
MY_SHARES_PATHS = "/api/v1/shares"
DECIDED_SHARES_PATHS = "/api/v1/compliance/"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class FeedCache:
    def __init__(self, ttl: float, max_pages: int = 10_000) -> None:
        self.ttl = ttl
        self.max_pages = max_pages
        self.live = False  # set by advocacy/db/notifications.py while content_changed can be heard
        # Bumped by every clear: a page read before a change is not stored after it.
        self.generation = 0
        self.default_language: Language | None = None
        self._pages: dict[Hashable, tuple[float, list[EncodedLine]]] = {}
        self._boundary_known = False
        self._boundary: datetime | None = None
        self._shared: dict[int, tuple[float, frozenset[int]]] = {}
        self.shared_generation = 0

    @property
    def page_count(self) -> int:
        return len(self._pages)

    @property
    def enabled(self) -> bool:
        return self.live and self.ttl > 0

    def clear(self) -> None:
        self.clear_pages()
        self.forget_shared(None)

    def clear_pages(self) -> None:
        self.generation += 1
        self._pages.clear()
        self._boundary_known = False
        self._boundary = None
        self.default_language = None

    def forget_shared(self, person_id: int | None) -> None:
        """Drop one reader's shared items (None: everyone's)."""
        self.shared_generation += 1
        if person_id is None:
            self._shared.clear()
        else:
            self._shared.pop(person_id, None)

    def on_content_changed(self, _payload: str) -> None:
        self.clear_pages()

    def on_shares_changed(self, payload: str) -> None:
        self.forget_shared(int(payload) if payload.isdigit() else None)

    def shared(self, person_id: int) -> frozenset[int] | None:
        if not self.enabled:
            return None
        entry = self._shared.get(person_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put_shared(self, person_id: int, items: frozenset[int], generation: int) -> None:
        if not self.enabled or generation != self.shared_generation:
            return
        if len(self._shared) >= self.max_pages:
            self._shared.clear()
        self._shared[person_id] = (time.monotonic() + self.ttl, items)

    def needs_boundary(self) -> bool:
        return not self._boundary_known

    def set_boundary(self, boundary: datetime | None, generation: int) -> None:
        """When the first approved item starts or stops being live, as read in `generation`."""
        if generation == self.generation:
            self._boundary, self._boundary_known = boundary, True

    def set_default_language(self, language: Language, generation: int) -> None:
        if self.enabled and generation == self.generation:
            self.default_language = language

    def expire(self, at: datetime) -> None:
        """Drop every page once `at` reaches the first instant an item starts or stops being live."""
        if self._boundary is not None and at >= self._boundary:
            self.clear_pages()

    def get(self, key: Hashable) -> list[EncodedLine] | None:
        if not self.enabled:
            return None
        entry = self._pages.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._pages.pop(key, None)
            return None
        return entry[1]

    def put(self, key: Hashable, lines: list[EncodedLine], generation: int) -> None:
        if not self.enabled or generation != self.generation or not self._boundary_known:
            return
        if len(self._pages) >= self.max_pages:
            self._pages.clear()
        self._pages[key] = (time.monotonic() + self.ttl, lines)


async def forget_after_writes(message: Message, scope: Scope) -> None:
    """Read-your-writes in this process: a library change or a share made or decided here is in this
    process's next feed, without waiting for PostgreSQL's notification to come back."""
    if message["type"] != "http.response.start" or scope.get("method", "GET") in _SAFE_METHODS:
        return
    cache: FeedCache | None = getattr(scope["app"].state, "feed_cache", None)
    if cache is None:
        return
    path = scope["path"]
    if path.startswith(LIBRARY_PATHS):
        cache.clear_pages()
    elif path.startswith(MY_SHARES_PATHS):
        user = scope.get("user")
        cache.forget_shared(getattr(user, "person_id", None))
    elif path.startswith(DECIDED_SHARES_PATHS):
        cache.forget_shared(None)


def _page_key(
    who: Reader, default_language: Language, flt: FeedFilter, after: FeedKey | None, limit: int
) -> Hashable:
    return (who.team_id, who.location, who.language, default_language, flt, after, limit)


async def feed_json(
    db: Database,
    cache: FeedCache,
    who: Reader,
    *,
    flt: FeedFilter,
    after: FeedKey | None,
    limit: int,
    fallback_language: Language,
    storage: Storage,
) -> bytes:
    """The reader's feed page as JSON (Page[FeedEntry])."""
    lines, shared = await feed_lines(
        db,
        cache,
        who,
        flt=flt,
        after=after,
        limit=limit,
        fallback_language=fallback_language,
        storage=storage,
    )
    return page_json(lines, shared, limit)


async def feed_lines(
    db: Database,
    cache: FeedCache,
    who: Reader,
    *,
    flt: FeedFilter,
    after: FeedKey | None,
    limit: int,
    fallback_language: Language,
    storage: Storage,
) -> tuple[list[EncodedLine], frozenset[int]]:
    """Up to limit+1 lines of the reader's feed (service.feed_lines) and the items the reader shared, from
    the cache when it holds both parts; a miss reads PostgreSQL and fills the cache."""
    at = service.now()
    cache.expire(at)
    default_language = cache.default_language
    lines = None
    if default_language is not None:
        lines = cache.get(_page_key(who, default_language, flt, after, limit))
    shared = cache.shared(who.person_id)
    if lines is None or shared is None:
        async with db.connection() as conn:
            if lines is None:
                generation = cache.generation
                if default_language is None:
                    library = await queries.library_settings(conn)
                    default_language = library.default_language or fallback_language
                    cache.set_default_language(default_language, generation)
                if cache.enabled and cache.needs_boundary():
                    cache.set_boundary(await queries.next_live_change(conn, at), generation)
                found = await service.feed_lines(
                    conn,
                    who,
                    flt=flt,
                    after=after,
                    limit=limit + 1,
                    default_language=default_language,
                    storage=storage,
                    at=at,
                )
                lines = encode_lines(found)
                cache.put(_page_key(who, default_language, flt, after, limit), lines, generation)
            if shared is None:
                shared_generation = cache.shared_generation
                shared = await queries.shared_item_ids(conn, who.person_id)
                cache.put_shared(who.person_id, shared, shared_generation)
    return lines, shared
