"""Helpers for share and link tests: a charter with one term per verdict, live items, sharing through the API."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.db.pool import Database
from tests.factories import Factory, Someone
from tests.integration.content.conftest import Library


def _terms(name: str, category: str, severity: str, term: str) -> dict[str, Any]:
    return {
        "name": name,
        "category": category,
        "severity": severity,
        "message": {"fr": f"Terme {term}", "en": f"Term {term}"},
        "terms": [term],
    }


# "phoenix" is blocked, "globex" sends the share to review, "incroyable" warns.
RULES: dict[str, Any] = {
    "term_lists": [
        _terms("secret_projects", "confidentiality", "block", "phoenix"),
        _terms("competitors", "competitors", "review", "globex"),
        _terms("hype", "tone", "warn", "incroyable"),
    ]
}

LINK = "https://www.example.com/news/launch?ref=home"


# a post address of the default network (x), as "I posted it" must give
X_POST = "https://x.com/jane/status/1790000000000000000"


class Sharing:
    """Items, people and shares for one test; shares go through the HTTP API like an employee's would."""

    def __init__(self, db: Database, factory: Factory, client: AsyncTestClient[Litestar]) -> None:
        self.db = db
        self.factory = factory
        self.client = client
        self.library = Library(db, factory)

    async def setup(self) -> None:
        await self.factory.charter(rules=RULES)

    async def ambassador(self, *roles: str, **extra: Any) -> Someone:
        return await self.factory.person(*(roles or ("employee",)), ambassador=True, **extra)

    async def item(self, **fields: Any) -> Any:
        fields.setdefault("link", LINK)
        return await self.library.approved(**fields)

    async def share(
        self, who: Someone, item: Any, *, headers: dict[str, str] | None = None, **body: Any
    ) -> Any:
        body.setdefault("network", "x")
        body.setdefault("caption", "Bonne nouvelle pour nos clients")
        return await self.client.post(
            "/api/v1/shares", json={"item": str(item.id), **body}, headers={**who.headers, **(headers or {})}
        )

    async def ready_share(self, who: Someone, item: Any | None = None, **body: Any) -> dict[str, Any]:
        item = item or await self.item()
        response = await self.share(who, item, **body)
        assert response.status_code == 201, response.text
        share: dict[str, Any] = response.json()
        return share

    async def fetchval(self, sql: str, *args: Any) -> Any:
        async with self.db.connection() as conn:
            return await conn.fetchval(sql, *args)

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self.db.connection() as conn:
            return list(await conn.fetch(sql, *args))

    async def execute(self, sql: str, *args: Any) -> None:
        async with self.db.connection() as conn:
            await conn.execute(sql, *args)

    async def set_sharing(self, **sharing: Any) -> None:
        admin = await self.factory.person("admin")
        response = await self.client.put("/api/v1/organisation/sharing", json=sharing, headers=admin.headers)
        assert response.status_code == 200, response.text


@pytest.fixture
async def sharing(db: Database, factory: Factory, client: AsyncTestClient[Litestar]) -> Sharing:
    world = Sharing(db, factory, client)
    await world.setup()
    return world
