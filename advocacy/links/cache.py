"""code → LinkEntry in process. A link's target and share never change once written, so entries live
for a while (TTL) and the table is bounded; an unknown code is remembered only briefly, so a link made on
another replica a moment ago is found as soon as it can have been handed out."""

from __future__ import annotations

import time

from advocacy.links.schemas import LinkEntry


class LinkCache:
    def __init__(self, *, ttl: float = 600.0, miss_ttl: float = 2.0, max_entries: int = 100_000) -> None:
        self._ttl = ttl
        self._miss_ttl = miss_ttl
        self._max = max_entries
        self._entries: dict[str, tuple[float, LinkEntry | None]] = {}

    def get(self, code: str) -> tuple[bool, LinkEntry | None]:
        """(found in cache, entry): an entry of None means "known not to exist" while `found` is True."""
        hit = self._entries.get(code)
        if hit is None:
            return False, None
        if hit[0] < time.monotonic():
            del self._entries[code]
            return False, None
        return True, hit[1]

    def put(self, code: str, entry: LinkEntry | None) -> None:
        if len(self._entries) >= self._max:
            # drop the oldest tenth (dicts keep insertion order): cheap and good enough for a cache
            for stale in list(self._entries)[: self._max // 10]:
                del self._entries[stale]
        ttl = self._ttl if entry is not None else self._miss_ttl
        self._entries[code] = (time.monotonic() + ttl, entry)

    def forget(self, code: str) -> None:
        self._entries.pop(code, None)
