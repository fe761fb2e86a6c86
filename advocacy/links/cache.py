"""code → LinkEntry in process. A link's target and share never change once written, so entries live
for a while (TTL) and the table is bounded (least recently used out first); an unknown code is remembered
only briefly, so a link made on another replica a moment ago is found as soon as it can have been handed out."""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TLRUCache

from advocacy.links.schemas import LinkEntry


class LinkCache:
    def __init__(
        self,
        *,
        ttl: float = 600.0,
        miss_ttl: float = 2.0,
        max_entries: int = 100_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._miss_ttl = miss_ttl
        # cachetools' per-entry time to use: a known link for `ttl`, a code known not to exist for `miss_ttl`
        self._entries: TLRUCache[str, LinkEntry | None] = TLRUCache(
            max_entries, ttu=self._expires_at, timer=timer
        )

    def _expires_at(self, _code: str, entry: LinkEntry | None, now: float) -> float:
        return now + (self._ttl if entry is not None else self._miss_ttl)

    def get(self, code: str) -> tuple[bool, LinkEntry | None]:
        """(found in cache, entry): an entry of None means "known not to exist" while `found` is True."""
        try:
            return True, self._entries[code]
        except KeyError:
            return False, None

    def put(self, code: str, entry: LinkEntry | None) -> None:
        self._entries[code] = entry

    def forget(self, code: str) -> None:
        self._entries.pop(code, None)
