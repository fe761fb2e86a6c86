"""An ambassador browses the feed in a real browser: image cards, search, filters, the empty state and
paging, on a phone in French and on a desktop in English; and the API docs page runs offline under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from tests.e2e.conftest import DESKTOP, PASSWORD, SCREENS, Browsing, Screen, new_person

TEXT = {
    "fr": {"sign_in": "Se connecter", "show": "Afficher", "search": "Rechercher", "network": "Réseau",
           "none": "Aucune publication ne correspond", "next": "Page suivante", "first": "Première page"},
    "en": {"sign_in": "Sign in", "show": "Show posts", "search": "Search", "network": "Network",
           "none": "No post matches", "next": "Next page", "first": "First page"},
}  # fmt: skip


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_searches_filters_and_pages_through_the_feed(
    screen: Screen, browsing: Browsing, e2e_db: Database
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    visit = await browsing.open(screen, "feed")
    page = visit.page
    await visit.goto("/login?next=/feed")
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name=say["sign_in"]).click()
    await expect(page).to_have_url(visit.base_url + "/feed")
    cards = page.locator(".card")
    await expect(cards).to_have_count(12)
    images = page.locator(".card__media img")
    assert await images.count() > 0
    first = images.first
    await first.scroll_into_view_if_needed()
    assert await first.evaluate("img => img.complete && img.naturalWidth > 0"), "a card image did not load"
    await visit.check("feed")

    await page.get_by_role("link", name=say["next"]).click()
    await expect(page.get_by_role("link", name=say["first"])).to_be_visible()
    await visit.check("feed page 2")

    await page.get_by_label(say["search"], exact=True).fill("zzzz introuvable")
    await page.get_by_role("button", name=say["show"]).click()
    await expect(page.locator(".empty-state")).to_contain_text(say["none"])
    await visit.check("feed nothing found")

    await page.get_by_label(say["search"], exact=True).fill("")
    await page.get_by_label(say["network"]).select_option("linkedin")
    await page.get_by_role("button", name=say["show"]).click()
    await expect(page).to_have_url(re.compile(r"/feed\?.*network=linkedin"))
    assert await cards.count() > 0
    await visit.check("feed linkedin")


async def test_the_api_docs_page_runs_swagger_ui_offline_under_the_csp(browsing: Browsing) -> None:
    visit = await browsing.open(SCREENS[1], "docs")
    requested: list[str] = []
    visit.page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    visit.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    visit.page.on("pageerror", lambda e: errors.append(str(e)))
    visit.page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    await visit.goto("/api/docs")
    await visit.page.wait_for_timeout(3000)
    assert not errors, errors
    await expect(visit.page.locator(".opblock").first).to_be_visible()
    assert all(url.startswith(visit.base_url) or url.startswith("data:") for url in requested), requested
    assert not visit.csp_errors, visit.csp_errors
    await visit.page.set_viewport_size(DESKTOP)
    await visit.page.screenshot(path=str(visit_path(visit)), full_page=False)


def visit_path(visit: object) -> object:
    from tests.e2e.conftest import SCREENSHOTS

    return SCREENSHOTS / "docs-desktop-en-01-api-docs.png"
