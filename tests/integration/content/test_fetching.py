"""Outbound fetches: the SSRF guard, RSS/Atom sources with conditional GET, Open Graph prefill, suggestions."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.db.pool import Database
from content_library.sources.safe_fetch import FetchPolicy, FetchRefused, forbidden_address, safe_get
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.content.conftest import Library, serving

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
<item><title>Premier article</title><link>https://blog.example.com/1</link><description>Un</description></item>
<item><title>Second article</title><link>https://blog.example.com/2</link><description>Deux</description></item>
</channel></rss>"""

PAGE = b"""<html><head><title>Fallback</title>
<meta property="og:title" content="Nous recrutons"><meta property="og:description" content="Rejoignez-nous">
<meta property="og:image" content="/img/hero.jpg"></head><body></body></html>"""


class Handler(BaseHTTPRequestHandler):
    hits: list[dict[str, str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        Handler.hits.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", '"v1"')
            self.end_headers()
            self.wfile.write(RSS)
        elif self.path == "/page":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(PAGE)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/secret")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"x" * 300_000)
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(Handler) as url:
        yield url


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("169.254.169.254", "link-local"),
        ("::1", "loopback"),
        ("::ffff:192.168.1.1", "private"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "private"),
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str, why: str) -> None:
    assert forbidden_address(address) == why


def test_public_addresses_are_allowed() -> None:
    assert forbidden_address("93.184.216.34") is None


async def test_the_guard_refuses_a_loopback_server_when_not_relaxed(server: str) -> None:
    with pytest.raises(FetchRefused) as refused:
        await safe_get(server + "/page", policy=FetchPolicy())
    assert refused.value.reason == "loopback-address"


async def test_the_guard_refuses_a_host_name_that_resolves_to_loopback(server: str) -> None:
    with pytest.raises(FetchRefused) as refused:
        await safe_get(server.replace("127.0.0.1", "localhost") + "/page", policy=FetchPolicy())
    assert refused.value.reason == "loopback-address"


async def test_a_redirect_to_loopback_is_refused_on_the_redirect(
    monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    """The first hop is allowed (as if public); the redirect's target is checked again and refused."""
    from content_library.sources import safe_fetch

    original = safe_fetch.forbidden_address
    calls: list[str] = []

    def first_hop_public(address: str) -> str | None:
        calls.append(address)
        return None if len(calls) == 1 else original(address)

    monkeypatch.setattr(safe_fetch, "forbidden_address", first_hop_public)
    with pytest.raises(FetchRefused) as refused:
        await safe_get(server + "/redirect", policy=FetchPolicy())
    assert refused.value.reason == "loopback-address"
    assert len(calls) == 2


async def test_a_body_over_the_size_bound_is_refused(server: str) -> None:
    with pytest.raises(FetchRefused) as refused:
        await safe_get(server + "/huge", policy=FetchPolicy(allow_private=True, max_bytes=100_000))
    assert refused.value.reason == "too-large"


async def test_other_schemes_are_refused() -> None:
    with pytest.raises(FetchRefused) as refused:
        await safe_get("file:///etc/passwd", policy=FetchPolicy(allow_private=True))
    assert refused.value.reason == "scheme"


async def test_open_graph_prefill_through_the_api_is_refused_for_loopback_by_default(
    client: AsyncTestClient[Litestar], library: Library, server: str
) -> None:
    curator = await library.curator()
    response = await client.post(
        "/api/v1/content/items/prefill", json={"url": server + "/page"}, headers=curator.headers
    )
    assert response.status_code == 422
    assert problem(response)["extra"]["reason"] == "loopback-address"


async def test_open_graph_prefill_reads_title_description_and_image(
    relaxed: AsyncTestClient[Litestar], library: Library, server: str
) -> None:
    curator = await library.curator()
    response = await relaxed.post(
        "/api/v1/content/items/prefill", json={"url": server + "/page"}, headers=curator.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["description"]) == ("Nous recrutons", "Rejoignez-nous")
    assert body["image"] == server + "/img/hero.jpg"


async def test_a_source_is_polled_into_drafts_once_per_link_with_a_conditional_get(
    relaxed: AsyncTestClient[Litestar], library: Library, server: str, db: Database
) -> None:
    curator = await library.curator()
    source = (
        await relaxed.post(
            "/api/v1/content/sources",
            json={"name": "Blog", "url": server + "/feed.xml", "tags": ["blog"]},
            headers=curator.headers,
        )
    ).json()
    first = (
        await relaxed.post(f"/api/v1/content/sources/{source['id']}/poll", headers=curator.headers)
    ).json()
    assert (first["status"], first["created"]) == ("ok", 2)
    Handler.hits.clear()
    second = (
        await relaxed.post(f"/api/v1/content/sources/{source['id']}/poll", headers=curator.headers)
    ).json()
    assert (second["status"], second["created"]) == ("not-modified", 0)
    assert Handler.hits[-1]["if-none-match"] == '"v1"'
    async with db.connection() as conn:
        await conn.execute("UPDATE content_sources SET etag = NULL")
    third = (
        await relaxed.post(f"/api/v1/content/sources/{source['id']}/poll", headers=curator.headers)
    ).json()
    assert (third["status"], third["created"]) == ("ok", 0)
    items = (await relaxed.get("/api/v1/content/items?status=draft", headers=curator.headers)).json()["items"]
    assert sorted(i["title"] for i in items) == ["Premier article", "Second article"]
    assert items[0]["tags"] == ["blog"]


async def test_an_ambassador_suggests_and_sees_the_decline_reason(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    ambassador = await factory.person("employee", ambassador=True)
    made = await client.post(
        "/api/v1/content/suggestions",
        json={"link": "https://example.com/a", "note": "Super article"},
        headers=ambassador.headers,
    )
    assert made.status_code == 201, made.text
    curator = await library.curator()
    queue = (await client.get("/api/v1/content/suggestions", headers=curator.headers)).json()["items"]
    assert [s["note"] for s in queue] == ["Super article"]
    await client.post(
        f"/api/v1/content/suggestions/{made.json()['id']}/decline",
        json={"reason": "Hors sujet"},
        headers=curator.headers,
    )
    mine = (await client.get("/api/v1/content/suggestions/mine", headers=ambassador.headers)).json()["items"]
    assert (mine[0]["status"], mine[0]["decline_reason"]) == ("declined", "Hors sujet")


async def test_an_accepted_suggestion_becomes_a_draft(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    ambassador = await factory.person("employee", ambassador=True)
    made = (
        await client.post(
            "/api/v1/content/suggestions", json={"link": "https://example.com/b"}, headers=ambassador.headers
        )
    ).json()
    curator = await library.curator()
    item = await client.post(f"/api/v1/content/suggestions/{made['id']}/accept", headers=curator.headers)
    assert item.status_code == 200, item.text
    assert (item.json()["status"], item.json()["link"]) == ("draft", "https://example.com/b")


async def test_someone_not_opted_in_cannot_suggest(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    employee = await factory.person("employee")
    response = await client.post(
        "/api/v1/content/suggestions", json={"link": "https://example.com/a"}, headers=employee.headers
    )
    assert response.status_code == 403
