"""Share this card from the web app: the card and the networks whose share pages take it, a share made
through the share flow (then the share's way-out page), and someone else's card refused."""

from __future__ import annotations

from tests.integration.shares.conftest import Sharing
from tests.integration.shares.test_card_shares import award
from tests.integration.web.pages import PASSWORD, post_form, sign_in


async def test_my_card_is_shared_from_its_page_through_the_share_flow(sharing: Sharing) -> None:
    ann = await sharing.ambassador(password=PASSWORD, email="ann@example.com", language="en")
    badge = await award(sharing, ann, "first_share")
    await sign_in(sharing.client, "ann@example.com")
    points = (await sharing.client.get("/points")).text
    assert f'href="/points/badges/{badge}/share"' in points
    page = (await sharing.client.get(f"/points/badges/{badge}/share")).text
    assert f"/api/v1/me/badges/{badge}/card.png" in page and 'value="bluesky"' in page
    missing = await post_form(
        sharing.client, f"/points/badges/{badge}/share", {"network": "x", "caption": ""}, page="/points"
    )
    assert missing.status_code == 422 and 'id="caption-error"' in missing.text
    shared = await post_form(
        sharing.client, f"/points/badges/{badge}/share", {"network": "bluesky", "caption": "Proud of it"},
        page="/points",
    )  # fmt: skip
    assert shared.status_code == 303 and shared.headers["location"].startswith("/compose/shares/")
    share = (await sharing.client.get("/api/v1/shares", headers=ann.headers)).json()["items"][0]
    assert share["badge"] == badge and share["network"] == "bluesky" and share["status"] == "ready"
    assert share["share_url"].startswith("https://bsky.app/intent/compose?")


async def test_someone_elses_card_is_not_mine_to_share(sharing: Sharing) -> None:
    ann = await sharing.ambassador(password=PASSWORD, email="ann@example.com", language="en")
    bob = await sharing.ambassador()
    badge = await award(sharing, bob, "first_share")
    await sign_in(sharing.client, "ann@example.com")
    assert (await sharing.client.get(f"/points/badges/{badge}/share")).status_code == 404
    assert ann.person_id != bob.person_id
