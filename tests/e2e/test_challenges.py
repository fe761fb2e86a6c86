"""An ambassador with points follows a challenge in a real browser: the list (open, coming, finished) reached
through the navigation's "More", then the open challenge's standings with their points and what is left to
earn — on a phone in French and on a desktop in English, with axe on every page."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.challenges.schemas import ChallengeCreate
from advocacy.incentives.challenges.service import create
from advocacy.incentives.ledger.schemas import KudosCreate
from advocacy.incentives.ledger.service import kudos
from advocacy.settings import Settings
from tests.e2e.conftest import SCREENS, Browsing, Screen, new_person
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
    async with e2e_db.connection() as conn:
        person = await conn.fetchrow("SELECT id, public_id FROM people WHERE email = $1", email)
        giver = await conn.fetchval("SELECT min(id) FROM people WHERE id <> $1", person["id"])
        team = await conn.fetchval("SELECT public_id FROM teams WHERE name = 'Sales'")
    tag = secrets.token_hex(3)
    now = datetime.now(UTC)
    for name, start, end in ((f"Sprint {tag}", -2, 5), (f"Summer {tag}", 10, 20)):
        body = ChallengeCreate(
            name_fr=f"Défi {name}", name_en=f"Challenge {name}", starts_at=now + timedelta(days=start),
            ends_at=now + timedelta(days=end), teams=[team], goal="threshold", threshold=100,
        )  # fmt: skip
        await create(e2e_db, body, actor_id=giver)
    redis = Redis.from_url(e2e_settings.redis_url)
    try:
        body = KudosCreate(person_id=person["public_id"], points=40, reason="Great launch")
        await kudos(e2e_db, redis, e2e_settings.redis_namespace, body, actor_id=giver)
    finally:
        await redis.aclose()

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
