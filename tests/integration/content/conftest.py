"""Helpers for content library tests: people in each role, items moved through the workflow, images, a local
HTTP server for the fetching tests and a client whose app may fetch from it."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.app import create_app
from advocacy.db.pool import Database
from advocacy.people import service as people
from advocacy.settings import Settings
from content_library.items.schemas import ItemCreate, TransitionIn
from content_library.items.service import create_item, transition
from tests.factories import Factory, Someone
from tests.unit.images._fixtures import encode, photo


def jpeg(width: int = 800, height: int = 600, *, seed: int = 0) -> bytes:
    return encode(photo(width, height, seed=seed), "JPEG", quality=90)


class Library:
    """Builds content straight through the services (fast), for tests that read it through the API."""

    def __init__(self, db: Database, factory: Factory) -> None:
        self.db = db
        self.factory = factory
        self._curator: Someone | None = None
        self._reviewer: Someone | None = None

    async def curator(self) -> Someone:
        if self._curator is None:
            self._curator = await self.factory.person("curator", "employee")
        return self._curator

    async def reviewer(self) -> Someone:
        if self._reviewer is None:
            self._reviewer = await self.factory.person("reviewer", "employee")
        return self._reviewer

    async def draft(self, **fields: Any) -> Any:
        fields.setdefault("title", "A post")
        fields.setdefault(
            "captions", [{"language": "fr", "body": "Bonjour"}, {"language": "en", "body": "Hello"}]
        )
        body = msgspec.convert(fields, ItemCreate)
        curator = await self.curator()
        return await create_item(self.db, body, actor_id=curator.person_id, teams=people.team_ids)

    async def approved(self, **fields: Any) -> Any:
        item = await self.draft(**fields)
        curator, reviewer = await self.curator(), await self.reviewer()
        await transition(
            self.db, item.id, TransitionIn(to="in_review"), actor_id=curator.person_id, roles={"curator"}
        )
        return await transition(
            self.db, item.id, TransitionIn(to="approved"), actor_id=reviewer.person_id, roles={"reviewer"}
        )


@pytest.fixture
async def library(db: Database, factory: Factory) -> Library:
    return Library(db, factory)


async def upload(
    client: AsyncTestClient[Litestar],
    who: Someone,
    item_id: Any,
    data: bytes,
    *,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
) -> Any:
    return await client.post(
        f"/api/v1/content/items/{item_id}/images",
        files={"file": (filename, data, content_type)},
        headers=who.headers,
    )


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server on a free loopback port, in a thread, for the life of the block; yields its URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@pytest.fixture
async def relaxed(settings: Settings, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of an app allowed to fetch private addresses: the local servers of these tests are on loopback."""
    async with AsyncTestClient(app=create_app(settings.replace(fetch_allow_private=True))) as client:
        yield client
