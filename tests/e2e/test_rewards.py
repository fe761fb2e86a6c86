"""An ambassador with kudos redeems a reward in a real browser: one too dear is refused with the reason, one
they can afford is requested, reserved from their balance and listed under my redemptions; the kudos put
them on the leaderboard — on a phone in French and on a desktop in English, with axe on every page."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from advocacy.incentives.rewards.schemas import RewardCreate
from advocacy.incentives.rewards.service import create_reward
from advocacy.settings import Settings
from tests.e2e.conftest import SCREENS, Browsing, Screen, give_kudos, new_person
from tests.e2e.test_my_shares import TEXT as SIGN_IN
from tests.e2e.test_my_shares import sign_in

TEXT = {
    "fr": {"nav": "Récompenses", "redeem": "Demander", "sent": "Votre demande est envoyée",
           "requested": "Demandée", "boards": "Classements", "you": "Vous", "dear": "Cette récompense coûte"},
    "en": {"nav": "Rewards", "redeem": "Redeem", "sent": "Your request is sent",
           "requested": "Requested", "boards": "Leaderboards", "you": "You", "dear": "This reward costs"},
}  # fmt: skip


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_redeems_a_reward(
    screen: Screen, browsing: Browsing, e2e_db: Database, e2e_settings: Settings
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    tag = secrets.token_hex(3)
    dear = await create_reward(e2e_db, RewardCreate(name=f"Voyage {tag}", cost=9_000))
    cheap = await create_reward(e2e_db, RewardCreate(name=f"Mug {tag}", description="Nordlys", cost=30))
    await give_kudos(e2e_db, e2e_settings, email, 50)

    visit = await browsing.open(screen, "rewards")
    page = visit.page
    await sign_in(visit, email, SIGN_IN[screen.language], "/feed")
    await visit.nav(say["nav"])
    await expect(page.locator(".figures dd").first).to_have_text("50")
    await visit.check("rewards")

    await page.locator(".share-line", has_text=dear.name).get_by_role("button", name=say["redeem"]).click()
    await expect(page.locator(".error-summary")).to_contain_text(say["dear"])  # in the reader's language
    await visit.check("reward too dear")

    await page.locator(".share-line", has_text=cheap.name).get_by_role("button", name=say["redeem"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["sent"])
    await expect(page.locator(".figures dd").first).to_have_text("20")
    await expect(page.get_by_role("row", name=cheap.name)).to_contain_text(say["requested"])
    await visit.check("reward redeemed")

    await visit.nav(say["boards"])
    await expect(page.get_by_role("rowheader", name=say["you"])).to_be_visible()
    await visit.check("on the leaderboard")
