"""The feed's per-process cache never shows a stale page for long: library changes and shares made by
another process arrive by NOTIFY, the next start or expiry empties it on time, and a
change made through this process is in its very next answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from content_library.feed.cache import FeedCache
from tests.eventually import eventually
from tests.factories import Someone
from tests.integration.shares.conftest import Sharing


async def feed(sharing: Sharing, who: Someone) -> list[dict[str, Any]]:
    response = await sharing.client.get("/api/v1/feed", headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def cache_of(sharing: Sharing) -> FeedCache:
    cache: FeedCache = sharing.client.app.state.feed_cache
    return cache


async def listening(sharing: Sharing) -> None:
    await eventually(lambda: asyncio.sleep(0, result=cache_of(sharing).live))


async def test_a_page_is_served_from_the_cache_until_another_process_changes_the_library(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item(title="before")
    await listening(sharing)
    assert [e["title"] for e in await feed(sharing, ambassador)] == ["before"]
    assert cache_of(sharing).page_count == 1
    # a write from outside the app (as another replica or the worker would make)
    await sharing.execute("UPDATE content_items SET title = 'after' WHERE public_id = $1", item.id)

    async def renamed() -> bool:
        return [e["title"] for e in await feed(sharing, ambassador)] == ["after"]

    await eventually(renamed)


async def test_a_library_change_made_through_this_process_is_in_its_next_feed(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item(title="live")
    await listening(sharing)
    assert [e["title"] for e in await feed(sharing, ambassador)] == ["live"]
    curator = await sharing.library.curator()
    response = await sharing.client.post(
        f"/api/v1/content/items/{item.id}/transitions", json={"to": "archived"}, headers=curator.headers
    )
    assert response.status_code == 200, response.text
    assert await feed(sharing, ambassador) == []


async def test_an_item_appears_at_its_start_and_leaves_at_its_expiry_without_any_change(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    now = datetime.now(UTC)
    starts, expires = now + timedelta(seconds=3), now + timedelta(seconds=6)
    await sharing.item(title="soon", starts_at=starts.isoformat(), expires_at=expires.isoformat())
    await sharing.item(title="always")
    await listening(sharing)
    first = [e["title"] for e in await feed(sharing, ambassador)]
    if datetime.now(UTC) < starts:  # (a machine so loaded that 3 s went by already cannot see "before")
        assert first == ["always"]
    generation = cache_of(sharing).generation

    async def titles_are(expected: list[str]) -> bool:
        return [e["title"] for e in await feed(sharing, ambassador)] == expected

    await eventually(lambda: titles_are(["soon", "always"]))
    assert datetime.now(UTC) >= starts
    assert cache_of(sharing).page_count == 1
    await eventually(lambda: titles_are(["always"]))
    assert datetime.now(UTC) >= expires
    assert cache_of(sharing).page_count == 1
    # nothing was written meanwhile: the pages went at the boundaries, not on a notification
    assert cache_of(sharing).generation == generation + 2


async def test_already_shared_follows_a_share_made_here_at_once_and_one_changed_elsewhere_within_a_second(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item(title="news")
    await listening(sharing)
    assert (await feed(sharing, ambassador))[0]["already_shared"] is False
    share = await sharing.ready_share(ambassador, item)
    assert (await feed(sharing, ambassador))[0]["already_shared"] is True
    await sharing.execute("UPDATE shares SET status = 'withdrawn' WHERE public_id = $1", share["id"])

    async def not_shared() -> bool:
        return (await feed(sharing, ambassador))[0]["already_shared"] is False

    await eventually(not_shared)


async def test_one_cached_page_serves_readers_of_the_same_audience_with_their_own_already_shared(
    sharing: Sharing,
) -> None:
    first, second = await sharing.ambassador(), await sharing.ambassador()
    item = await sharing.item(title="news")
    await listening(sharing)
    await sharing.ready_share(first, item)
    assert (await feed(sharing, first))[0]["already_shared"] is True
    assert (await feed(sharing, second))[0]["already_shared"] is False
    assert cache_of(sharing).page_count == 1
