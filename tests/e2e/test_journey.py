"""The main employee journey in a real browser: a new employee signs in, takes the charter training and opts
in, searches the feed, opens the composer, types a caption the charter blocks, sees the reason marked in
the text, applies the fix and adds the disclosure hashtag, shares (the network's page opens in a new tab),
says "I posted it" with the post's address; a visitor follows the tracked link in another browser; then
the employee sees the click and the points on "My shares", "My points" and the leaderboard. On a desktop
in French and on a phone in English, axe on every page. The server runs no worker: the test runs the
click settling and the outbox's points jobs between the steps, as the worker would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import suppress
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, expect
from redis.asyncio import Redis

from advocacy.charter.networks import length
from advocacy.core.networks import Network
from advocacy.db.pool import Database
from advocacy.links.service import settle_clicks
from advocacy.settings import Settings
from tests.e2e.conftest import DESKTOP, PASSWORD, PHONE, Browsing, Screen, Visit, new_person
from tests.e2e.test_getting_started import RIGHT, answer
from tests.e2e.test_getting_started import TEXT as START
from tests.integration.jobs import run_pending

JOURNEYS = [Screen("desktop-fr", DESKTOP, "fr"), Screen("phone-en", PHONE, "en")]
# A browser that is not headless: link-preview crawlers and headless browsers are not counted as clicks.
VISITOR_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
TEXT = {
    "fr": {"search": "Rechercher", "show": "Afficher", "share": "Partager", "blocked": "Bloqué",
           "shortener": "Raccourcisseur de lien", "fix": "Appliquer la correction", "disclose": "Ajouter #collaborateur",
           "nothing": "La charte ne trouve rien à changer", "share_on": "Partager sur LinkedIn",
           "ready": "Approuvé, prêt à publier", "open": "Ouvrir la page de partage de LinkedIn",
           "post_url": "L'adresse de votre publication", "posted": "J'ai publié", "thanks": "Merci",
           "wrong_url": "ne ressemble pas", "shares": "Mes partages", "points": "Mes points",
           "boards": "Classements", "clicks": "Clics", "rank": "Mon rang", "published": "Publié"},
    "en": {"search": "Search", "show": "Show posts", "share": "Share", "blocked": "Blocked",
           "shortener": "Link shortener", "fix": "Apply the fix", "disclose": "Add #employee",
           "nothing": "The charter finds nothing to change", "share_on": "Share on LinkedIn",
           "ready": "Approved, ready to post", "open": "Open LinkedIn's share page",
           "post_url": "The address of your post", "posted": "I posted it", "thanks": "Thank you",
           "wrong_url": "This does not look like", "shares": "My shares", "points": "My points",
           "boards": "Leaderboards", "clicks": "Clicks", "rank": "My rank", "published": "Published"},
}  # fmt: skip
POST_URL = "https://www.linkedin.com/feed/update/urn:li:activity:7200000000000000{:03d}/"


@pytest.fixture
async def worker(e2e_settings: Settings, e2e_db: Database) -> AsyncIterator[Redis]:
    redis = Redis.from_url(e2e_settings.redis_url)
    yield redis
    await redis.aclose()


async def offline(route: Route) -> None:
    """Other sites (the network's share page, the article) answer from here: the machine has no internet."""
    await route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>elsewhere</title>")


async def opt_in(visit: Visit, email: str, say: dict[str, str]) -> None:
    page = visit.page
    await visit.goto("/login")
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name=say["sign_in"]).click()
    await expect(page.locator("h1")).to_have_text(say["start"])
    await page.get_by_role("link", name=say["charter"], exact=True).first.click()
    await page.get_by_role("link", name=say["next_training"]).click()
    await answer(page, RIGHT)
    await page.get_by_role("button", name=say["check"]).click()
    await expect(page.locator(".notice")).to_contain_text(say["passed"])
    await visit.check("training passed")
    await page.get_by_role("link", name=say["next_opt_in"]).click()
    await page.get_by_label(say["accept"]).check()
    await page.get_by_role("button", name=say["opt_in"]).click()
    await expect(page.locator("h1")).to_have_text(say["done"])
    await visit.check("ambassador")
    await page.get_by_role("link", name=say["feed"]).click()


async def compose_with_a_blocked_caption(visit: Visit, say: dict[str, str]) -> None:
    page = visit.page
    caption = page.locator("#caption")
    await caption.fill("Nos bureaux de Lyon s'agrandissent, à lire : bit.ly/nordlys-lyon")
    mark = page.locator("[data-backdrop] mark.finding--block")
    await expect(mark).to_have_text("bit.ly/nordlys-lyon")
    line = page.locator(".finding-line", has_text=say["shortener"])
    await expect(line.locator(".tag")).to_have_text(say["blocked"])
    await visit.check("composer blocked")

    await line.get_by_role("button", name=re.compile(say["fix"])).click()
    await expect(caption).to_have_value(re.compile(r"https://www\.nordlys\.example/blog/12$"))
    await expect(page.locator(".finding-line", has_text=say["shortener"])).to_have_count(0)
    await page.get_by_role("button", name=say["disclose"]).click()
    await expect(caption).to_have_value(re.compile(r"blog/12 #(collaborateur|employee)$"))
    await expect(page.locator(".findings-none")).to_contain_text(say["nothing"])
    await expect(mark).to_have_count(0)
    # the count is the server's rule, recounted in the page as one types
    value = await caption.input_value()
    await expect(page.locator("[data-count]")).to_have_text(str(length(value, Network.LINKEDIN)))
    await visit.check("composer fixed")


async def run_jobs(db: Database, redis: Redis, settings: Settings) -> None:
    """What the worker would do by now: settle the clicks, then pay the points (and the boards)."""
    await settle_clicks(db)
    await run_pending(db, redis, settings, "incentives.")


@pytest.mark.parametrize("screen", JOURNEYS, ids=lambda s: s.name)
async def test_an_employee_opts_in_shares_a_fixed_caption_and_sees_the_click_and_the_points(
    screen: Screen, browsing: Browsing, e2e_db: Database, e2e_settings: Settings, worker: Redis
) -> None:
    say = {**START[screen.language], **TEXT[screen.language]}
    email = await new_person(e2e_db, screen.language)
    visit = await browsing.open(screen, "journey")
    page = visit.page
    await page.context.route(re.compile(r"^https://"), offline)
    await opt_in(visit, email, say)

    await expect(page).to_have_url(visit.base_url + "/feed")
    await page.get_by_label(say["search"], exact=True).fill("Lyon")
    await page.get_by_role("button", name=say["show"]).click()
    card = page.locator(".card", has_text="Nos bureaux de Lyon")
    await expect(card).to_have_count(1)
    await visit.check("feed search")
    await card.get_by_role("link", name=re.compile("^" + say["share"])).click()
    await expect(page).to_have_url(re.compile(r"/compose/[0-9a-f-]+$"))
    await visit.check("composer")

    await compose_with_a_blocked_caption(visit, say)
    await page.get_by_role("button", name=say["share_on"]).click()
    await expect(page).to_have_url(re.compile(r"/compose/shares/[0-9a-f-]+$"))
    await expect(page.locator("[data-status]")).to_have_text(say["ready"])
    async with page.expect_popup() as opened:
        await page.get_by_role("link", name=re.compile(say["open"])).click()
    network_page = await opened.value
    assert network_page.url.startswith("https://www.linkedin.com/sharing/share-offsite/?url="), (
        network_page.url
    )
    await network_page.close()
    await visit.check("share ready")

    await page.get_by_label(say["post_url"]).fill("https://example.com/my-post")
    await page.get_by_role("button", name=say["posted"]).click()
    await expect(page.locator("#post_url-error")).to_contain_text(say["wrong_url"])
    await visit.check("post address refused")
    await page.get_by_label(say["post_url"]).fill(POST_URL.format(len(screen.name)))
    await page.get_by_role("button", name=say["posted"]).click()
    await expect(page.locator(".notice--success")).to_contain_text(say["thanks"])
    await expect(page.locator("[data-status]")).to_have_text(say["published"])
    tracked = await page.locator("[data-tracked-link]").inner_text()
    await visit.check("share posted")

    visitor = await browsing.open(screen, "visitor", user_agent=VISITOR_AGENT)
    async with visitor.page.expect_response(re.compile(r"/l/")) as answered:
        with suppress(PlaywrightError):  # the article is on the internet, which this machine cannot reach
            await visitor.goto(urlsplit(tracked).path)
    redirect = await answered.value
    assert redirect.status == 302, redirect.status
    assert redirect.headers["location"].startswith("https://www.nordlys.example/blog/12?"), redirect.headers
    await run_jobs(e2e_db, worker, e2e_settings)

    await page.locator("#main").get_by_role("link", name=say["shares"]).click()
    line = page.locator(".share-line").first
    await expect(line.locator("dd").first).to_have_text("1")  # one click
    await visit.check("my shares with a click")
    await page.get_by_role("navigation").get_by_role("link", name=say["points"]).click()
    rows = page.locator("table").first.locator("tbody tr")
    await expect(rows.nth(1)).to_be_visible()  # the share and its click (at least)
    assert int(await page.locator(".figures dd").first.inner_text()) > 0
    await visit.check("my points")
    await page.get_by_role("navigation").get_by_role("link", name=say["boards"]).click()
    await expect(page.locator(".figures dt").first).to_have_text(say["rank"])
    await visit.check("leaderboard")


async def test_the_composer_counts_as_the_server_does(browsing: Browsing, e2e_db: Database) -> None:
    """composer.js recounts with the networks' own rules: it agrees with advocacy/charter/networks.py."""
    texts = [
        "Plain ASCII text",
        "Déjà vu — « guillemets » et accents",
        "Emoji 👍🏽 and family 👨‍👩‍👧 and flag 🇫🇷 and keycap 1️⃣",
        "CJK 日本語のテキスト and Hangul 한국어",
        "Links https://www.nordlys.example/blog/1?x=1, www.example.org and nordlys.com/jobs.",
        "Mentions @alice@mastodon.social and @bob.bsky.social",
        "Line\nbreaks\n\nand trailing spaces   ",
        "Combining e\u0301 and zero-width\u200bspace",
    ]
    visit = await browsing.open(JOURNEYS[0], "count")
    await visit.goto("/login")  # a page of ours (its CSP allows our scripts); the script defines the count
    page: Page = visit.page
    await page.add_script_tag(url=visit.base_url + "/static/js/composer.js")
    for network in Network:
        for text in texts:
            counted = await page.evaluate("([t, n]) => window.advocacyCount(t, n)", [text, network.value])
            assert counted == length(text, network), (network, text, counted, length(text, network))
