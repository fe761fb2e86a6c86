"""A person looks after their account in a real browser: their profile (name, time zone) saved, what the
service holds about them and their data downloaded as a file, opting out, then erasing the account only
after typing their own e-mail address — on a phone in French and on a desktop in English, with axe on
every page."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import expect

from advocacy.db.pool import Database
from tests.e2e.conftest import SCREENS, Browsing, Screen, new_person
from tests.e2e.test_my_shares import TEXT as SIGN_IN
from tests.e2e.test_my_shares import sign_in

TEXT = {
    "fr": {"nav": "Moi", "name": "Votre nom", "zone": "Fuseau horaire", "save": "Enregistrer mon profil",
           "saved": "Votre profil est enregistré", "data": "Ce que nous conservons sur vous, et le télécharger",
           "download": "Télécharger mes données (JSON)", "consent": "Chaque inscription",
           "opt_out": "Ne plus être ambassadeur", "erase": "Effacer mon compte",
           "confirm": "Saisissez votre adresse e-mail pour confirmer", "go": "Effacer définitivement mon compte",
           "erased": "Votre compte est effacé"},
    "en": {"nav": "Me", "name": "Your name", "zone": "Time zone", "save": "Save my profile",
           "saved": "Your profile is saved", "data": "What we hold about you, and downloading it",
           "download": "Download my data (JSON)", "consent": "Every time you opted in",
           "opt_out": "Stop being an ambassador", "erase": "Erase my account",
           "confirm": "Type your e-mail address to confirm", "go": "Erase my account for good",
           "erased": "Your account is erased"},
}  # fmt: skip


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_a_person_looks_after_their_account_then_erases_it(
    screen: Screen, browsing: Browsing, e2e_db: Database
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    visit = await browsing.open(screen, "me")
    page = visit.page
    await sign_in(visit, email, SIGN_IN[screen.language], "/feed")
    await visit.nav(say["nav"])
    await page.get_by_label(say["name"]).fill("Sam Martin")
    await page.get_by_label(say["zone"]).select_option("America/Montreal")
    await page.get_by_role("button", name=say["save"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["saved"])
    await expect(page.get_by_label(say["zone"])).to_have_value("America/Montreal")
    await visit.check("profile saved")

    await page.get_by_role("link", name=say["data"]).click()
    await expect(page.locator("table")).to_contain_text(say["consent"])
    await visit.check("what we hold")
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name=say["download"]).click()
    downloaded = await (await waiting.value).path()
    exported = json.loads(downloaded.read_text())
    assert exported["person"]["email"] == email and exported["person"]["display_name"] == "Sam Martin"

    await visit.nav(say["nav"])
    await page.get_by_role("button", name=say["opt_out"]).click()
    await expect(page).to_have_url(visit.base_url + "/")
    await visit.nav(say["nav"])
    await page.locator(".section-links").get_by_role("link", name=say["erase"]).click()
    await page.get_by_label(say["confirm"]).fill("someone.else@demo.example")
    await page.get_by_role("button", name=say["go"]).click()
    await expect(page.locator(".error-summary a[href='#confirm_email']")).to_be_visible()
    await visit.check("erase refused")
    await page.get_by_label(say["confirm"]).fill(email)
    await page.get_by_role("button", name=say["go"]).click()
    await expect(page.locator("h1")).to_have_text(say["erased"])
    await visit.check("erased")
    await visit.goto("/me")
    await expect(page).to_have_url(visit.base_url + "/login?next=/me")
