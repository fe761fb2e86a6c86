"""A visitor is an address and a browser: one address counts a bounded number of clicks per link and day,
the anti-gaming check sees one address with many browsers as one visitor, and decided clicks (bots, the
sharer's own) keep no previous-day hash."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from advocacy.links.service import ADDRESS_CLICKS_PER_DAY, settle_clicks
from tests.integration.shares.conftest import Sharing


def browser(version: int) -> str:
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}.0.0.0 Safari/537.36"


async def follow(sharing: Sharing, share: dict[str, Any], user_agent: str) -> None:
    path = urlsplit(share["link"]).path
    response = await sharing.client.get(path, headers={"User-Agent": user_agent}, follow_redirects=False)
    assert response.status_code == 302


async def test_twelve_browsers_from_one_address_count_as_a_bounded_few_clicks(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    for version in range(100, 112):
        await follow(sharing, share, browser(version))
    report = await settle_clicks(sharing.db)
    assert report.settled == 12
    assert report.counted == ADDRESS_CLICKS_PER_DAY < 12
    stored = await sharing.fetch("SELECT DISTINCT address_hash FROM clicks")
    assert len(stored) == 1 and len(stored[0]["address_hash"]) == 16  # a hash, never the address


async def test_one_address_with_many_browsers_is_few_visitors_to_the_anti_gaming_check(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador, network="linkedin")
    # slowly enough not to be a burst; every click from one address
    for version in range(100, 112):
        await follow(sharing, share, browser(version))
    await settle_clicks(sharing.db)
    flags = await sharing.fetch("SELECT reasons FROM share_flags")
    assert [list(f["reasons"]) for f in flags] == [["few_visitors"]]


async def test_a_bots_click_keeps_no_previous_day_hash(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    await follow(sharing, share, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    rows = await sharing.fetch("SELECT bot, counted, visitor_hash_prev FROM clicks")
    assert [(r["bot"], r["counted"], r["visitor_hash_prev"]) for r in rows] == [(True, False, None)]
