"""The per-process cache of compiled charter versions: the few last used, never dropping the active one."""

from __future__ import annotations

import asyncio
from typing import Any

from advocacy.charter.cache import CompiledVersions


def test_the_least_recently_used_version_goes_but_never_the_active_one() -> None:
    locks: dict[int, asyncio.Lock] = {1: asyncio.Lock(), 2: asyncio.Lock()}
    versions = CompiledVersions(2, locks)
    versions.active_version = 1
    compiled: Any = object()
    versions[1] = compiled
    versions[2] = compiled
    versions[3] = compiled  # 1 is the least recently used, but active: 2 goes
    assert sorted(versions) == [1, 3] and 2 not in locks
    versions.get(3)
    versions[4] = compiled  # 1 is again the least recently used and still active: 3 goes
    assert sorted(versions) == [1, 4]
