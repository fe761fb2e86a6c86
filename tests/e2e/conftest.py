"""The browser tests' world: the app served for real by uvicorn on a loopback port (its own database and
Redis namespace on the test servers, seeded with the demo organisation), Debian's Chromium driven through
Playwright (one browser per session, a fresh context per test), axe on every page visited, and screenshots
at phone and desktop sizes under tests/e2e/screenshots/ (git-ignored).

Without /usr/bin/chromium the tests are skipped (`make test` says so); nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from advocacy.app import create_app
from advocacy.content.wiring import storage_from_settings
from advocacy.db.pool import Database
from advocacy.demo import seed_demo
from advocacy.settings import Settings
from tests.conftest import Stores, _create_database, _drop_database

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# What the machine's closed network needs (no background fetches to Google), as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")


class Screen(msgspec.Struct, frozen=True):
    name: str
    viewport: dict[str, int]
    language: str


# One journey runs twice: on a phone in French, on a desktop in English.
SCREENS = [Screen("phone-fr", PHONE, "fr"), Screen("desktop-en", DESKTOP, "en")]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """uvicorn serving the app in a thread of its own, as in production (its own event loop)."""

    def __init__(self, settings: Settings) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="e2e-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start for the browser tests")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def e2e_settings(stores: Stores, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A database and Redis namespace of their own: the server's caches never see another test's TRUNCATE."""
    name = f"advocacy_e2e_{secrets.token_hex(4)}"
    database_url = asyncio.run(_create_database(stores.admin_database_url, name))
    namespace = f"e{secrets.token_hex(4)}"
    try:
        yield Settings(
            database_url=database_url,
            redis_url=stores.redis_url,
            redis_namespace=namespace,
            secret_key="e2e-secret-" + "x" * 40,
            data_dir=str(tmp_path_factory.mktemp("e2e-data")),
            access_log=False,
            log_level="warning",
            db_pool_min=1,
            db_pool_max=5,
        )
    finally:
        asyncio.run(_drop_database(stores.admin_database_url, name, stores.redis_url, namespace))


@pytest.fixture(scope="session")
async def e2e_db(e2e_settings: Settings) -> AsyncIterator[Database]:
    database = await Database.connect(e2e_settings.database_url, min_size=1, max_size=3)
    await seed_demo(database, storage_from_settings(e2e_settings))
    yield database
    await database.close()


@pytest.fixture(scope="session")
def live_server(e2e_settings: Settings, e2e_db: Database) -> Iterator[LiveServer]:
    with LiveServer(e2e_settings) as server:
        yield server


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


class Visit:
    """A person's browser tab on one screen: every page reached is checked by axe and photographed."""

    def __init__(self, page: Page, axe: Axe, base_url: str, screen: Screen, journey: str) -> None:
        self.page = page
        self.axe = axe
        self.base_url = base_url
        self.screen = screen
        self.journey = journey
        self.shots = 0
        self.csp_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_errors.append(message.text)

    async def goto(self, path: str) -> None:
        await self.page.goto(self.base_url + path)

    async def nav(self, label: str) -> None:
        """Follow a navigation entry by its label, opening the "More" disclosure when it sits there."""
        link = self.page.locator(".site-nav").get_by_role("link", name=label, exact=True)
        if not await link.is_visible():
            await self.page.locator(".site-nav summary").click()
        await link.click()

    async def check(self, name: str) -> None:
        """axe finds no serious or critical violation, nothing scrolls sideways, and a screenshot is kept."""
        results = await self.axe.run(self.page)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in BLOCKING_IMPACTS
        ]
        assert not blocking, f"{self.page.url}: " + "; ".join(blocking)
        overflow = await self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{self.page.url} scrolls sideways by {overflow}px on {self.screen.name}"
        assert await self.page.locator("h1").count() == 1, f"{self.page.url} must have one <h1>"
        assert not self.csp_errors, self.csp_errors
        # Lazy images below the fold load once scrolled to: the full-page picture shows them.
        await self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await self.page.wait_for_load_state("networkidle")
        await self.page.evaluate("window.scrollTo(0, 0)")
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = SCREENSHOTS / f"{self.journey}-{self.screen.name}-{self.shots:02d}-{slug}.png"
        await self.page.screenshot(path=str(path), full_page=True)


class Browsing:
    """Opens a fresh context (cookies, storage) per person and screen on the session's one browser."""

    def __init__(self, browser: Browser, axe: Axe, base_url: str) -> None:
        self.browser = browser
        self.axe = axe
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []

    async def open(self, screen: Screen, journey: str, *, user_agent: str | None = None) -> Visit:
        context = await self.browser.new_context(
            viewport=screen.viewport,
            locale=screen.language,
            extra_http_headers={"Accept-Language": screen.language},
            user_agent=user_agent,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return Visit(await context.new_page(), self.axe, self.base_url, screen, journey)

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def browsing(browser: Browser, axe: Axe, live_server: LiveServer) -> AsyncIterator[Browsing]:
    opened = Browsing(browser, axe, live_server.base_url)
    yield opened
    await opened.close()


PASSWORD = "correct horse battery staple"


async def new_person(db: Database, language: str, *, ambassador: bool = False) -> str:
    """A new employee who can sign in (their e-mail); an ambassador passed the demo training first."""
    from advocacy.ambassadors.schemas import OptIn
    from advocacy.ambassadors.service import opt_in
    from advocacy.auth.schemas import Principal
    from advocacy.charter import training
    from advocacy.charter.schemas import QuizAnswers
    from advocacy.people.schemas import PersonCreate
    from advocacy.people.service import create_person

    email = f"e2e.{secrets.token_hex(4)}@demo.example"
    name = "Camille Durand" if language == "fr" else "Jordan Smith"
    body = msgspec.convert(
        {"email": email, "display_name": name, "team": "Sales", "language": language, "password": PASSWORD},
        PersonCreate,
    )
    person = await create_person(db, body, actor_id=None)
    if ambassador:
        async with db.connection() as conn:
            person_id = await conn.fetchval("SELECT id FROM people WHERE public_id = $1", person.id)
            version = await conn.fetchval("SELECT version FROM charters WHERE status = 'active'")
        answers = [[1], [0], [0, 1, 3], [1], [0]]  # the demo training's right answers
        await training.take_quiz(
            db, person_id, QuizAnswers(charter_version=version, answers=answers), language=language
        )
        principal = Principal(
            person_id=person_id, public_id=person.id, email=email, display_name=name, language=language,
            roles=frozenset({"employee"}), via="token",
        )  # fmt: skip
        await opt_in(db, principal, OptIn(charter_version=version), validity_days=365)
    return email


async def give_kudos(db: Database, settings: Settings, email: str, points: int) -> int:
    """Kudos for the person with this e-mail from another person (as HR would give them); returns the
    giver's id."""
    from redis.asyncio import Redis

    from advocacy.incentives.ledger.schemas import KudosCreate
    from advocacy.incentives.ledger.service import kudos

    async with db.connection() as conn:
        person = await conn.fetchrow("SELECT id, public_id FROM people WHERE email = $1", email)
        giver: int = await conn.fetchval("SELECT min(id) FROM people WHERE id <> $1", person["id"])
    redis = Redis.from_url(settings.redis_url)
    try:
        body = KudosCreate(person_id=person["public_id"], points=points, reason="Thanks for the launch")
        await kudos(db, redis, settings.redis_namespace, body, actor_id=giver)
    finally:
        await redis.aclose()
    return giver
