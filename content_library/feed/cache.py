"""This process's cache of feed pages (one page serves every reader of an audience) and of what each
reader already shared.

A page depends on the reader's audience (team, location, language), the organisation's default language,
the filters and the cursor, never on who reads it. It is dropped when PostgreSQL says the library changed
(NOTIFY content_changed on commit, migration 0050), when the first item starts or stops being live (every
page goes at that instant), or after `ttl` seconds, whichever comes first. A reader's set of shared items
is dropped when their shares change (NOTIFY shares_changed) or after `ttl`. While the notifications cannot
be heard, nothing is cached. Changes made through this process are seen by its next request at once
(forget_after_writes, beside the feed's route); other processes hear of them by NOTIFY, within milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from datetime import datetime
from typing import NamedTuple

import msgspec
from cachetools import TTLCache

from content_library.feed.schemas import FeedEntry, FeedFilter, FeedKey, FeedLine, Reader
from content_library.schemas import Language

CONTENT_CHANNEL = "content_changed"
SHARES_CHANNEL = "shares_changed"


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


class FeedCache:
    def __init__(self, ttl: float, max_pages: int = 10_000) -> None:
        self.ttl = ttl
        self.max_pages = max_pages
        self.live = False  # set by advocacy/db/notifications.py while content_changed can be heard
        # Bumped by every clear: a page read before a change is not stored after it.
        self.generation = 0
        self.default_language: Language | None = None
        # cachetools TTL caches (least recently used out when full); `enabled` says whether they are used
        life = max(ttl, 0.001)
        self._pages: TTLCache[Hashable, list[EncodedLine]] = TTLCache(max_pages, life, timer=time.monotonic)
        self._boundary_known = False
        self._boundary: datetime | None = None
        self._shared: TTLCache[int, frozenset[int]] = TTLCache(max_pages, life, timer=time.monotonic)
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
        return self._shared.get(person_id) if self.enabled else None

    def put_shared(self, person_id: int, items: frozenset[int], generation: int) -> None:
        if not self.enabled or generation != self.shared_generation:
            return
        self._shared[person_id] = items

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
        return self._pages.get(key) if self.enabled else None

    def put(self, key: Hashable, lines: list[EncodedLine], generation: int) -> None:
        if not self.enabled or generation != self.generation or not self._boundary_known:
            return
        self._pages[key] = lines


def page_key(
    who: Reader, default_language: Language, flt: FeedFilter, after: FeedKey | None, limit: int
) -> Hashable:
    """What a cached page depends on: the reader's audience, never who the reader is."""
    return (who.team_id, who.location, who.language, default_language, flt, after, limit)
