"""An ambassador with points follows a challenge in a real browser: the list (open, coming, finished) reached
through the navigation's "More", then the open challenge's standings with their points and what is left to
earn — on a phone in French and on a desktop in English, with axe on every page."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from advocacy.incentives.challenges.schemas import ChallengeCreate
from advocacy.incentives.challenges.service import create
from advocacy.settings import Settings
from tests.e2e.conftest import SCREENS, Browsing, Screen, give_kudos, new_person
from tests.e2e.test_my_shares import TEXT as SIGN_IN
from tests.e2e.test_my_shares import sign_in

TEXT = {
    "fr": {"nav": "Défis", "standings": "Voir le classement", "to_go": "Reste à gagner", "you": "Vous"},
    "en": {"nav": "Challenges", "standings": "See the standings", "to_go": "Still to earn", "you": "You"},
}  # fmt: skip


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_follows_a_challenge(
    screen: Screen, browsing: Browsing, e2e_db: Database, e2e_settings: Settings
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    giver = await give_kudos(e2e_db, e2e_settings, email, 40)
    async with e2e_db.connection() as conn:
        team = await conn.fetchval("SELECT public_id FROM teams WHERE name = 'Sales'")
    tag = secrets.token_hex(3)
    now = datetime.now(UTC)
    for name, start, end in ((f"Sprint {tag}", -2, 5), (f"Summer {tag}", 10, 20)):
        body = ChallengeCreate(
            name_fr=f"Défi {name}", name_en=f"Challenge {name}", starts_at=now + timedelta(days=start),
            ends_at=now + timedelta(days=end), teams=[team], goal="threshold", threshold=100,
        )  # fmt: skip
        await create(e2e_db, body, actor_id=giver)

    visit = await browsing.open(screen, "challenges")
    page = visit.page
    await sign_in(visit, email, SIGN_IN[screen.language], "/feed")
    await visit.nav(say["nav"])
    open_one = page.locator(".share-line", has_text=f"Sprint {tag}")
    await expect(open_one.locator(".figures dd")).to_have_text("40")
    await expect(page.locator(".share-line", has_text=f"Summer {tag}")).to_be_visible()
    await visit.check("challenges")

    await open_one.get_by_role("link", name=say["standings"]).click()
    await expect(page.locator("h1")).to_contain_text(f"Sprint {tag}")
    await expect(page.locator(".figures")).to_contain_text(say["to_go"])
    await expect(page.locator(".figures dd").nth(1)).to_have_text("60")
    await expect(page.locator("tr.is-me")).to_contain_text(say["you"])
    await visit.check("challenge standings")
