"""An ambassador suggests a post in a real browser: a link that is not one is refused next to its field with
the note kept, then a link with an image is sent and listed as waiting; once the comms team declines it,
the page says so with their reason — on a phone in French and on a desktop in English, with axe on every
page."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import expect

from advocacy.db.pool import Database
from content_library.suggestions import service as suggestions
from tests.e2e.conftest import SCREENS, Browsing, Screen, new_person
from tests.e2e.test_my_shares import TEXT as SIGN_IN
from tests.e2e.test_my_shares import sign_in

TEXT = {
    "fr": {"nav": "Suggérer une publication", "link": "Lien vers la page", "note": "Pourquoi",
           "image": "Une image", "send": "Envoyer ma suggestion", "waiting": "En attente",
           "declined": "Refusée", "thanks": "Merci"},
    "en": {"nav": "Suggest a post", "link": "Link to the page", "note": "Why it is worth",
           "image": "An image", "send": "Send my suggestion", "waiting": "Waiting for the comms team",
           "declined": "Declined", "thanks": "Thank you"},
}  # fmt: skip


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
async def test_an_ambassador_suggests_a_post_and_reads_the_outcome(
    screen: Screen, browsing: Browsing, e2e_db: Database, tmp_path: Path
) -> None:
    say = TEXT[screen.language]
    email = await new_person(e2e_db, screen.language, ambassador=True)
    picture = tmp_path / "launch.png"
    Image.new("RGB", (320, 200), (30, 90, 200)).save(picture)
    link = f"https://example.com/news/{secrets.token_hex(3)}"

    visit = await browsing.open(screen, "suggestions")
    page = visit.page
    await sign_in(visit, email, SIGN_IN[screen.language], "/feed")
    await visit.nav(say["nav"])
    await page.get_by_label(say["link"]).fill("our launch")
    await page.get_by_label(say["note"]).fill("Nordlys")
    await page.get_by_role("button", name=say["send"]).click()
    await expect(page.locator(".error-summary a[href='#link']")).to_be_visible()
    await expect(page.get_by_label(say["note"])).to_have_value("Nordlys")
    await visit.check("suggestion refused")

    await page.get_by_label(say["link"]).fill(link)
    await page.get_by_label(say["image"]).set_input_files(picture)
    await page.get_by_role("button", name=say["send"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["thanks"])
    mine = page.locator(".share-line", has_text=link)
    await expect(mine).to_contain_text(say["waiting"])
    await visit.check("suggestion sent")

    async with e2e_db.connection() as conn:
        curator = await conn.fetchval("SELECT min(id) FROM people")
        public_id = await conn.fetchval("SELECT public_id FROM content_suggestions WHERE link = $1", link)
    await suggestions.decline_suggestion(e2e_db, public_id, "Déjà prévu / already planned", actor_id=curator)
    await page.reload()
    await expect(mine).to_contain_text(say["declined"])
    await expect(mine).to_contain_text("already planned")
    await visit.check("suggestion declined")
