"""This process's copy of the board profiles (name, team, visibility, alias, opt-in) read on every board page.

It follows the principal cache (advocacy/auth/service.py): the same identity_changed notifications and the
same direct drops after a person changes their own profile empty it, and it stores nothing while those
notifications cannot be heard (or for longer than the principal cache's TTL).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from cachetools import TTLCache

from advocacy.auth.service import PrincipalCache
from advocacy.incentives.boards.schemas import BoardProfile


class BoardProfileCache:
    def __init__(self, principals: PrincipalCache, max_entries: int = 100_000) -> None:
        self.principals = principals
        self.max_entries = max_entries
        # bumped by every drop: a read that started before a drop does not store what it read
        self.generation = 0
        # a cachetools TTL cache like the principal cache's, with its TTL (least recently used out when full)
        self._profiles: TTLCache[int, BoardProfile] = TTLCache(
            max(1, max_entries), max(principals.ttl, 0.001), timer=time.monotonic
        )
        principals.companions.append(self)

    def found(self, person_ids: Iterable[int]) -> tuple[dict[int, BoardProfile], list[int]]:
        """(profiles held and fresh, ids to read from PostgreSQL)."""
        held: dict[int, BoardProfile] = {}
        missing: list[int] = []
        for person_id in person_ids:
            profile = self._profiles.get(person_id)
            if profile is not None:
                held[person_id] = profile
            else:
                missing.append(person_id)
        return held, missing

    def put(self, profiles: Iterable[BoardProfile], generation: int) -> None:
        """Keep profiles read by a query started at `generation` (nothing if a drop happened since)."""
        if not self.principals.live or self.principals.ttl <= 0 or generation != self.generation:
            return
        for profile in profiles:
            self._profiles[profile.person_id] = profile

    def forget_person(self, person_id: int) -> None:
        self.generation += 1
        self._profiles.pop(person_id, None)

    def clear(self) -> None:
        self.generation += 1
        self._profiles.clear()
