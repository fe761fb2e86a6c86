"""An ambassador reads the leaderboards in a real browser: the organisation's month, then the all-time board
of their team, and changes how they appear in place — on a phone in French and on a desktop in English,
with axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from tests.e2e.conftest import SCREENS, Browsing, Screen, new_person
from tests.e2e.test_my_shares import TEXT as SIGN_IN
from tests.e2e.test_my_shares import sign_in

TEXT = {
    "fr": {"nav": "Classements", "period": "Période", "who": "Qui", "show": "Afficher",
           "anonymous": "Anonymement", "save": "Enregistrer mon choix", "saved": "Votre choix est enregistré"},
    "en": {"nav": "Leaderboards", "period": "Period", "who": "Who", "show": "Show",
           "anonymous": "Anonymously", "save": "Save my choice", "saved": "Your choice is saved"},
}  # fmt: skip


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_reads_the_leaderboards_and_changes_how_they_appear(
    screen: Screen, browsing: Browsing, e2e_db: Database
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    visit = await browsing.open(screen, "boards")
    page = visit.page
    await sign_in(visit, email, SIGN_IN[screen.language], "/feed")
    await page.get_by_role("link", name=say["nav"]).click()
    await expect(page).to_have_url(visit.base_url + "/leaderboards")
    await visit.check("leaderboard month")

    await page.get_by_label(say["period"], exact=True).select_option("all")
    await page.get_by_label(say["who"], exact=True).select_option("team")
    await page.get_by_role("button", name=say["show"]).click()
    await expect(page).to_have_url(re.compile(r"period=all.*scope=team"))
    await visit.check("leaderboard team all time")

    await page.get_by_label(say["anonymous"]).check()
    await page.get_by_role("button", name=say["save"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["saved"])
    await expect(page.get_by_label(say["anonymous"])).to_be_checked()
    await visit.check("visibility saved")
