"""An employee's first visit, in a real browser: sign in (a wrong password first), read the charter, fail
then pass its training, choose how to appear on the leaderboards and opt in — on a phone in French and on
a desktop in English, with axe on every page and the keyboard reaching the skip link first."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from tests.e2e.conftest import PASSWORD, SCREENS, Browsing, Screen, new_person

TEXT = {
    "fr": {
        "sign_in": "Se connecter",
        "wrong": "L'e-mail ou le mot de passe est incorrect",
        "start": "Premiers pas",
        "charter": "Lire la charte",
        "next_training": "Suite : la formation à la charte",
        "check": "Vérifier mes réponses",
        "not_yet": "Pas encore",
        "passed": "Vous avez réussi",
        "next_opt_in": "Suite : choisir comment apparaître",
        "opt_in": "Adhérer",
        "tick": "Cochez la case pour dire que vous acceptez la charte",
        "anonymous": "Anonymement",
        "accept": "J'ai lu la charte",
        "done": "Vous êtes ambassadeur",
        "feed": "Voir les publications à partager",
    },
    "en": {
        "sign_in": "Sign in",
        "wrong": "The e-mail or the password is wrong",
        "start": "Getting started",
        "charter": "Read the charter",
        "next_training": "Next: the charter training",
        "check": "Check my answers",
        "not_yet": "Not yet",
        "passed": "You passed",
        "next_opt_in": "Next: choose how you appear",
        "opt_in": "Opt in",
        "tick": "Tick the box to say you accept the charter",
        "anonymous": "Anonymously",
        "accept": "I have read the social media charter",
        "done": "You are an ambassador",
        "feed": "See the posts to share",
    },
}
# The demo training's five questions: a wrong first attempt, then the right answers (choice numbers).
WRONG = [[0], [0], [0], [1], [0]]
RIGHT = [[1], [0], [0, 1, 3], [1], [0]]


async def answer(page: object, answers: list[list[int]]) -> None:
    for number, chosen in enumerate(answers, start=1):
        boxes = page.locator(f'input[name="q{number}"]')  # type: ignore[attr-defined]
        for index in range(await boxes.count()):
            box = boxes.nth(index)
            if index in chosen:
                await box.check()
            elif await box.get_attribute("type") == "checkbox":
                await box.uncheck()


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_employee_signs_in_takes_the_training_and_opts_in(
    screen: Screen, browsing: Browsing, e2e_db: Database
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language)
    visit = await browsing.open(screen, "start")
    page = visit.page
    await visit.goto("/")
    await expect(page).to_have_url(visit.base_url + "/login")
    await page.keyboard.press("Tab")
    await expect(page.locator(".skip-link")).to_be_focused()
    await visit.check("sign in")

    await page.locator("#email").fill(email)
    await page.locator("#password").fill("not the password")
    await page.get_by_role("button", name=say["sign_in"]).click()
    await expect(page.locator(".error-summary")).to_contain_text(say["wrong"])
    await expect(page.locator("#email")).to_have_value(email)
    await visit.check("wrong password")

    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name=say["sign_in"]).click()
    await expect(page.locator("h1")).to_have_text(say["start"])
    await visit.check("getting started")

    await page.get_by_role("link", name=say["charter"], exact=True).first.click()
    await expect(page.locator(".prose")).to_be_visible()
    await visit.check("charter")

    await page.get_by_role("link", name=say["next_training"]).click()
    await page.get_by_role("button", name=say["check"]).click()  # nothing answered
    await expect(page.locator(".error-summary a")).to_have_count(5)
    await visit.check("training unanswered")
    await answer(page, WRONG)
    await page.get_by_role("button", name=say["check"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["not_yet"])
    await expect(page.locator('input[name="q1"]').first).to_be_checked()  # the answers are kept
    await visit.check("training failed")
    await answer(page, RIGHT)
    await page.get_by_role("button", name=say["check"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["passed"])
    await visit.check("training passed")

    await page.get_by_role("link", name=say["next_opt_in"]).click()
    await page.get_by_label(say["anonymous"]).check()
    await page.get_by_role("button", name=say["opt_in"]).click()
    await expect(page.locator("#accept-error")).to_contain_text(say["tick"])
    await expect(page.get_by_label(say["anonymous"])).to_be_checked()
    await visit.check("opt in refused")
    await page.get_by_label(say["accept"]).check()
    await page.get_by_role("button", name=say["opt_in"]).click()
    await expect(page.locator("h1")).to_have_text(say["done"])
    await expect(page.get_by_role("link", name=say["feed"])).to_be_visible()
    await visit.check("ambassador")
