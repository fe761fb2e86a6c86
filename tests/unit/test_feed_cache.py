"""The feed cache's rules, without servers: pages assembled from bytes equal the Page encoding, nothing
is stored while notifications cannot be heard, a read that raced a change is not stored, pages go at the
next boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec

from advocacy.content.feed.controllers import page_json
from advocacy.http.pagination import page_of
from content_library.feed.cache import FeedCache, encode_lines
from content_library.feed.schemas import FeedEntry, FeedLine

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def line(n: int) -> FeedLine:
    entry = FeedEntry(
        id=uuid4(), title=f"post {n}", summary=None, link="https://example.com", language="fr",
        captions={"default": "Bonjour"}, caption_policy="editable", allow_reshare=False, hashtags=[],
        tags=["rh"], networks=[], campaign=None, images=[], pinned=False, starts_at=None, expires_at=None,
        already_shared=False,
    )  # fmt: skip
    return FeedLine((False, 0, NOW - timedelta(minutes=n), n), n, entry)


def expected(lines: list[FeedLine], shared: set[int], limit: int) -> object:
    marked = [(x.key, msgspec.structs.replace(x.entry, already_shared=x.item_id in shared)) for x in lines]
    page = page_of(marked, limit, key=lambda row: row[0])
    return msgspec.json.decode(
        msgspec.json.encode({"items": [e for _, e in page.items], "next_cursor": page.next_cursor})
    )


def test_a_page_assembled_from_bytes_is_the_page_encoding() -> None:
    lines = [line(n) for n in range(4)]
    for limit, shared in ((3, {1}), (4, set()), (10, {0, 3})):
        body = page_json(encode_lines(lines[: limit + 1]), frozenset(shared), limit)
        assert msgspec.json.decode(body) == expected(lines[: limit + 1], shared, limit)
    assert msgspec.json.decode(page_json([], frozenset(), 5)) == {"items": [], "next_cursor": None}


def live_cache() -> FeedCache:
    cache = FeedCache(ttl=30)
    cache.live = True
    cache.set_boundary(None, cache.generation)
    return cache


def test_nothing_is_stored_while_notifications_cannot_be_heard() -> None:
    cache = FeedCache(ttl=30)
    cache.set_boundary(None, cache.generation)
    cache.put("k", encode_lines([line(1)]), cache.generation)
    cache.put_shared(7, frozenset({1}), cache.shared_generation)
    assert cache.get("k") is None
    assert cache.shared(7) is None


def test_a_read_that_raced_a_change_is_not_stored() -> None:
    cache = live_cache()
    generation, shared_generation = cache.generation, cache.shared_generation
    cache.on_content_changed("content_items")
    cache.on_shares_changed("7")
    cache.put("k", encode_lines([line(1)]), generation)
    cache.put_shared(7, frozenset({1}), shared_generation)
    assert cache.get("k") is None
    assert cache.shared(7) is None


def test_pages_go_at_the_next_boundary_and_shares_per_person() -> None:
    cache = FeedCache(ttl=30)
    cache.live = True
    cache.set_boundary(NOW + timedelta(seconds=5), cache.generation)
    lines = encode_lines([line(1)])
    cache.put("k", lines, cache.generation)
    cache.put_shared(7, frozenset({1}), cache.shared_generation)
    cache.put_shared(8, frozenset(), cache.shared_generation)
    assert cache.get("k") == lines
    cache.on_shares_changed("7")
    assert cache.shared(7) is None and cache.shared(8) == frozenset()
    cache.expire(NOW + timedelta(seconds=4))
    assert cache.get("k") == lines
    cache.expire(NOW + timedelta(seconds=5))
    assert cache.get("k") is None
    assert cache.needs_boundary()
    cache.on_shares_changed("*")
    assert cache.shared(8) is None


def test_a_page_is_not_stored_before_its_boundary_is_known() -> None:
    cache = FeedCache(ttl=30)
    cache.live = True
    cache.put("k", encode_lines([line(1)]), cache.generation)
    assert cache.get("k") is None
