"""RSS/Atom sources edited and removed: validation, ETag reset on a new URL, drafts never twice per link."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.db.pool import Database
from content_library.items.text import normalise_link
from tests.conftest import problem
from tests.factories import Factory, Someone
from tests.integration.content.conftest import Library, serving

SOURCES = "/api/v1/content/sources"


def rss(*numbers: int) -> bytes:
    items = "".join(
        f"<item><title>Article {n}</title><link>https://blog.example.com/{n}</link></item>" for n in numbers
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>{items}</channel></rss>'.encode()


FEEDS = {"/a.xml": (rss(1, 2), '"a1"'), "/b.xml": (rss(2, 3), '"b1"')}


class FeedHandler(BaseHTTPRequestHandler):
    hits: list[dict[str, str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        FeedHandler.hits.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        if self.path not in FEEDS:
            self.send_response(404)
            self.end_headers()
            return
        body, etag = FEEDS[self.path]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def feeds() -> Iterator[str]:
    with serving(FeedHandler) as url:
        yield url


async def add(client: AsyncTestClient[Litestar], who: Someone, url: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(SOURCES, json={"name": "Blog", "url": url, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def poll(client: AsyncTestClient[Litestar], who: Someone, source_id: str) -> dict[str, Any]:
    response = await client.post(f"{SOURCES}/{source_id}/poll", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def draft_titles(client: AsyncTestClient[Litestar], who: Someone) -> list[str]:
    response = await client.get("/api/v1/content/items?status=draft", headers=who.headers)
    return sorted(i["title"] for i in response.json()["items"])


async def test_a_source_is_renamed_retagged_moved_to_a_campaign_and_deactivated(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    source = await add(client, curator, "https://blog.example.com/feed.xml", tags=["blog"])
    campaign = (
        await client.post(
            "/api/v1/content/campaigns", json={"slug": "spring", "name": "Spring"}, headers=curator.headers
        )
    ).json()
    response = await client.patch(
        f"{SOURCES}/{source['id']}",
        json={
            "name": "Newsroom",
            "tags": ["News "],
            "language": "en",
            "campaign": campaign["id"],
            "active": False,
        },
        headers=curator.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["tags"], body["language"], body["campaign"], body["active"]) == (
        "Newsroom",
        ["news"],
        "en",
        campaign["id"],
        False,
    )
    assert body["url"] == source["url"]
    listed = (await client.get(SOURCES, headers=curator.headers)).json()
    assert [(s["name"], s["active"]) for s in listed] == [("Newsroom", False)]
    cleared = await client.patch(
        f"{SOURCES}/{source['id']}", json={"campaign": None}, headers=curator.headers
    )
    assert cleared.json()["campaign"] is None


async def test_an_inactive_source_is_not_polled_until_reactivated(
    relaxed: AsyncTestClient[Litestar], library: Library, feeds: str
) -> None:
    curator = await library.curator()
    source = await add(relaxed, curator, feeds + "/a.xml")
    await relaxed.patch(f"{SOURCES}/{source['id']}", json={"active": False}, headers=curator.headers)
    refused = await relaxed.post(f"{SOURCES}/{source['id']}/poll", headers=curator.headers)
    assert refused.status_code == 404
    assert await draft_titles(relaxed, curator) == []
    await relaxed.patch(f"{SOURCES}/{source['id']}", json={"active": True}, headers=curator.headers)
    assert (await poll(relaxed, curator, source["id"]))["created"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://blog.example.com/feed"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"name": ""}, "name"),
        ({"language": "de"}, "language"),
        ({"tags": ["a,b"]}, "tags"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_changes_are_a_422_naming_the_field(
    client: AsyncTestClient[Litestar], library: Library, body: dict[str, Any], field: str
) -> None:
    curator = await library.curator()
    source = await add(client, curator, "https://blog.example.com/feed.xml")
    response = await client.patch(f"{SOURCES}/{source['id']}", json=body, headers=curator.headers)
    assert response.status_code == 422, response.text
    assert field in problem(response)["detail"] + str(problem(response).get("errors"))
    unchanged = (await client.get(SOURCES, headers=curator.headers)).json()[0]
    assert unchanged == source


async def test_a_changed_url_is_normalised_like_on_creation(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    source = await add(client, curator, "https://blog.example.com/feed.xml")
    response = await client.patch(
        f"{SOURCES}/{source['id']}", json={"url": "HTTPS://News.Example.COM/rss#top"}, headers=curator.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["url"] == normalise_link("HTTPS://News.Example.COM/rss#top")


async def test_an_unknown_campaign_is_a_422(client: AsyncTestClient[Litestar], library: Library) -> None:
    curator = await library.curator()
    source = await add(client, curator, "https://blog.example.com/feed.xml")
    response = await client.patch(
        f"{SOURCES}/{source['id']}",
        json={"campaign": "00000000-0000-0000-0000-000000000000"},
        headers=curator.headers,
    )
    assert response.status_code == 422
    assert problem(response)["detail"] == "No such campaign."


async def test_a_url_another_source_already_has_is_a_conflict(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    first = await add(client, curator, "https://blog.example.com/feed.xml")
    await add(client, curator, "https://news.example.com/feed.xml")
    response = await client.patch(
        f"{SOURCES}/{first['id']}", json={"url": "https://news.example.com/feed.xml"}, headers=curator.headers
    )
    assert response.status_code == 409
    problem(response)


async def test_a_new_url_forgets_the_old_feeds_etag_and_its_links_are_still_claimed_once(
    relaxed: AsyncTestClient[Litestar], library: Library, feeds: str, db: Database
) -> None:
    curator = await library.curator()
    source = await add(relaxed, curator, feeds + "/a.xml")
    assert (await poll(relaxed, curator, source["id"]))["created"] == 2
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT etag FROM content_sources") == '"a1"'
    response = await relaxed.patch(
        f"{SOURCES}/{source['id']}", json={"url": feeds + "/b.xml"}, headers=curator.headers
    )
    assert response.json()["last_status"] is None
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT etag, last_modified FROM content_sources")
    assert (row["etag"], row["last_modified"]) == (None, None)
    FeedHandler.hits.clear()
    result = await poll(relaxed, curator, source["id"])
    assert (result["status"], result["created"]) == ("ok", 1)  # link 2 came from a.xml already
    assert FeedHandler.hits[-1]["path"] == "/b.xml"
    assert "if-none-match" not in FeedHandler.hits[-1]
    assert await draft_titles(relaxed, curator) == ["Article 1", "Article 2", "Article 3"]


async def test_keeping_the_same_url_keeps_the_etag(
    relaxed: AsyncTestClient[Litestar], library: Library, feeds: str, db: Database
) -> None:
    curator = await library.curator()
    source = await add(relaxed, curator, feeds + "/a.xml")
    await poll(relaxed, curator, source["id"])
    await relaxed.patch(
        f"{SOURCES}/{source['id']}",
        json={"url": feeds + "/a.xml", "name": "Renamed"},
        headers=curator.headers,
    )
    assert (await poll(relaxed, curator, source["id"]))["status"] == "not-modified"


async def test_deleting_a_source_keeps_its_drafts_and_readding_the_feed_never_makes_a_second_draft(
    relaxed: AsyncTestClient[Litestar], library: Library, feeds: str, db: Database
) -> None:
    curator = await library.curator()
    source = await add(relaxed, curator, feeds + "/a.xml")
    assert (await poll(relaxed, curator, source["id"]))["created"] == 2
    response = await relaxed.delete(f"{SOURCES}/{source['id']}", headers=curator.headers)
    assert response.status_code == 204
    assert (await relaxed.get(SOURCES, headers=curator.headers)).json() == []
    assert await draft_titles(relaxed, curator) == ["Article 1", "Article 2"]
    again = await add(relaxed, curator, feeds + "/a.xml")
    result = await poll(relaxed, curator, again["id"])
    assert (result["status"], result["created"]) == ("ok", 0)
    other = await add(relaxed, curator, feeds + "/b.xml")
    assert (await poll(relaxed, curator, other["id"]))["created"] == 1
    assert await draft_titles(relaxed, curator) == ["Article 1", "Article 2", "Article 3"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM content_source_entries") == 3


async def test_an_unknown_source_is_404_for_edit_and_delete(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    missing = f"{SOURCES}/00000000-0000-0000-0000-000000000000"
    edited = await client.patch(missing, json={"name": "x"}, headers=curator.headers)
    deleted = await client.delete(missing, headers=curator.headers)
    assert (edited.status_code, deleted.status_code) == (404, 404)
    problem(edited)
    problem(deleted)


async def test_only_curators_edit_or_delete_sources(
    client: AsyncTestClient[Litestar], library: Library, factory: Factory
) -> None:
    source = await add(client, await library.curator(), "https://blog.example.com/feed.xml")
    for who in (await library.reviewer(), await factory.person("employee")):
        edited = await client.patch(f"{SOURCES}/{source['id']}", json={"name": "x"}, headers=who.headers)
        deleted = await client.delete(f"{SOURCES}/{source['id']}", headers=who.headers)
        assert (edited.status_code, deleted.status_code) == (403, 403)
    anonymous = await client.delete(f"{SOURCES}/{source['id']}")
    assert anonymous.status_code == 401
