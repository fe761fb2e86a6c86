"""An ambassador follows their shares in a real browser: a published share and a refused one listed with
their status, clicks and estimated reach, then withdrawing the published one — on a phone in French and on
a desktop in English, with axe on every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from advocacy.db.pool import Database
from tests.e2e.conftest import PASSWORD, SCREENS, Browsing, Screen, Visit, new_person

TEXT = {
    "fr": {"sign_in": "Se connecter", "nav": "Mes partages", "published": "Publié", "withdraw": "Retirer",
           "withdrawn": "Retiré", "done": "Le partage est retiré", "reach": "Portée (estimée)"},
    "en": {"sign_in": "Sign in", "nav": "My shares", "published": "Published", "withdraw": "Withdraw",
           "withdrawn": "Withdrawn", "done": "The share is withdrawn", "reach": "Reach (estimated)"},
}  # fmt: skip


async def sign_in(visit: Visit, email: str, say: dict[str, str], to: str) -> None:
    await visit.goto(f"/login?next={to}")
    await visit.page.locator("#email").fill(email)
    await visit.page.locator("#password").fill(PASSWORD)
    await visit.page.get_by_role("button", name=say["sign_in"]).click()
    await expect(visit.page).to_have_url(visit.base_url + to)


async def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The API as the signed-in person's browser calls it: their session cookie and CSRF token."""
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    base = page.url.split("/", 3)[:3]
    response = await page.request.fetch(
        "/".join(base) + path,
        method=method,
        data=body,
        headers={"X-CSRF-Token": csrf or "", "Content-Type": "application/json"},
    )
    assert response.ok, f"{method} {path}: {response.status} {await response.text()}"
    return await response.json()


async def share_one(page: Page, index: int, network: str = "linkedin") -> dict[str, Any]:
    feed = await api(page, "GET", "/api/v1/feed?limit=10")
    item = feed["items"][index]
    return dict(
        await api(
            page,
            "POST",
            "/api/v1/shares",
            {"item": item["id"], "network": network, "caption": item["title"] + " #collaborateur #employee"},
        )
    )


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_follows_and_withdraws_a_share(
    screen: Screen, browsing: Browsing, e2e_db: Database
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    visit = await browsing.open(screen, "shares")
    page = visit.page
    await sign_in(visit, email, say, "/feed")
    share = await share_one(page, 0)
    assert share["status"] == "ready", share
    await api(
        page, "POST", f"/api/v1/shares/{share['id']}/confirm",
        {"post_url": "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000001/"},
    )  # fmt: skip

    await page.get_by_role("link", name=say["nav"]).click()
    await expect(page).to_have_url(visit.base_url + "/shares")
    line = page.locator(".share-line").first
    await expect(line.locator(".tag").first).to_have_text(say["published"])
    await expect(line).to_contain_text(say["reach"])
    await visit.check("my shares")

    await line.get_by_role("button", name=say["withdraw"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["done"])
    await expect(line.locator(".tag").first).to_have_text(say["withdrawn"])
    await expect(line.get_by_role("button", name=say["withdraw"])).to_have_count(0)
    await visit.check("share withdrawn")
