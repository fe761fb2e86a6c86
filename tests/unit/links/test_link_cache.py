"""The tracked-link cache: known links kept long, unknown codes briefly, the least recently used out first."""

from __future__ import annotations

from advocacy.links.cache import LinkCache
from advocacy.links.schemas import LinkEntry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def entry() -> LinkEntry:
    return LinkEntry(share_id=1, person_id=2, target="https://example.com/")


def test_an_unknown_code_is_remembered_briefly_and_a_link_for_long() -> None:
    clock = Clock()
    cache = LinkCache(ttl=600, miss_ttl=2, timer=clock)
    link = entry()
    cache.put("known", link)
    cache.put("unknown", None)
    assert cache.get("known") == (True, link) and cache.get("unknown") == (True, None)
    clock.now += 3
    assert cache.get("unknown") == (False, None)
    assert cache.get("known") == (True, link)
    clock.now += 600
    assert cache.get("known") == (False, None)


def test_a_full_cache_lets_the_least_recently_used_go() -> None:
    cache = LinkCache(max_entries=2, timer=Clock())
    cache.put("a", None)
    cache.put("b", None)
    assert cache.get("a")[0]
    cache.put("c", None)
    assert cache.get("a")[0] and cache.get("c")[0] and not cache.get("b")[0]
    cache.forget("a")
    assert not cache.get("a")[0]
