"""An ambassador reads their points in a real browser after a published share: the balance, the history
with its reason, the points per network and the badge card — on a phone in French and on a desktop in
English, with axe on every page."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from tests.e2e.conftest import SCREENS, Browsing, Screen, new_person
from tests.e2e.test_my_shares import TEXT as SIGN_IN
from tests.e2e.test_my_shares import api, share_one, sign_in

TEXT = {
    "fr": {"nav": "Mes points", "history": "Historique", "badges": "Badges"},
    "en": {"nav": "My points", "history": "History", "badges": "Badges"},
}


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_sees_the_points_of_a_published_share(
    screen: Screen, browsing: Browsing, e2e_db: Database
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    visit = await browsing.open(screen, "points")
    page = visit.page
    await sign_in(visit, email, SIGN_IN[screen.language], "/feed")
    share = await share_one(page, 0)
    await api(
        page, "POST", f"/api/v1/shares/{share['id']}/confirm",
        {"post_url": "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000002/"},
    )  # fmt: skip
    await page.get_by_role("link", name=say["nav"]).click()
    await expect(page).to_have_url(visit.base_url + "/points")
    await expect(page.get_by_role("heading", name=say["history"])).to_be_visible()
    # The e2e server runs no worker, so the share's points are not paid yet: the page says how to earn them.
    await expect(page.locator(".empty-state")).to_be_visible()
    await expect(page.get_by_role("table").get_by_role("rowheader", name="LinkedIn")).to_be_visible()
    await expect(page.get_by_role("heading", name=say["badges"])).to_be_visible()
    await visit.check("my points")
