"""Input that once reached the database or a library and came back as a 500 is a 4xx problem that stores
nothing: NUL characters, deep nesting, out-of-range integers, zoneless datetimes, huge CSV fields
(images: tests/integration/content/test_images.py)."""

from __future__ import annotations

import base64

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.db.pool import Database
from tests.conftest import problem
from tests.factories import Factory, Someone

TOKENS = "/api/v1/me/tokens"


async def _count(db: Database, table: str) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


@pytest.fixture
async def admin(factory: Factory) -> Someone:
    return await factory.person("admin")


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "lap\\u0000top", "expires_in_days": 3}',
        b'{"name": "laptop", "expires_in_days": 3, "note\\u0000": 1}',
    ],
    ids=["value", "key"],
)
async def test_a_nul_in_a_json_string_is_a_422_naming_the_field_and_stores_nothing(
    client: AsyncTestClient[Litestar], admin: Someone, db: Database, body: bytes
) -> None:
    before = await _count(db, "api_tokens")
    response = await client.post(
        TOKENS, content=body, headers={**admin.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "NUL" in problem(response)["detail"]
    assert await _count(db, "api_tokens") == before


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(
    client: AsyncTestClient[Litestar], admin: Someone
) -> None:
    response = await client.post(
        TOKENS,
        content=b'{"name": "lap\\\\u0000top", "expires_in_days": 3}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "path", ["/api/v1/content/items?q=a%00b", "/api/v1/people?q=%00", "/api/v1/me/points/history?cursor=%00"]
)
async def test_a_nul_in_a_query_parameter_is_a_422(
    client: AsyncTestClient[Litestar], admin: Someone, path: str
) -> None:
    response = await client.get(path, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert problem(response)["errors"][0]["source"] == "query"


@pytest.mark.parametrize("opening", [b"[", b'{"a":'], ids=["arrays", "objects"])
async def test_json_nested_a_hundred_thousand_deep_is_a_400(
    client: AsyncTestClient[Litestar], admin: Someone, opening: bytes
) -> None:
    closing = b"]" if opening == b"[" else b"}"
    body = b'{"name": ' + opening * 100_000 + b"1" + closing * 100_000 + b"}"
    response = await client.post(
        TOKENS, content=body, headers={**admin.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "nested" in problem(response)["detail"]


@pytest.mark.parametrize("number", [2**63, 10**20, -(2**63) - 1])
async def test_a_cursor_holding_an_integer_beyond_int64_is_a_422(
    client: AsyncTestClient[Litestar], admin: Someone, number: int
) -> None:
    cursor = base64.urlsafe_b64encode(f"[{number}]".encode()).decode().rstrip("=")
    response = await client.get(f"/api/v1/people?cursor={cursor}", headers=admin.headers)
    assert response.status_code == 422, response.text
    assert "cursor" in problem(response)["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/charters/{2**31}/export",
        f"/api/v1/charters/{2**63}/activate",
        f"/api/v1/admin/outbox/{2**63}/retry",
        f"/api/v1/admin/outbox/{10**30}/retry",
    ],
)
async def test_a_path_integer_beyond_its_column_is_a_422(
    client: AsyncTestClient[Litestar], admin: Someone, path: str
) -> None:
    method = client.get if path.endswith("export") else client.post
    response = await method(path, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert problem(response)["errors"][0]["source"] == "path"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/analytics/me",
        "/api/v1/analytics/me/export.csv",
        "/api/v1/analytics/organisation",
        "/api/v1/analytics/report?group_by=network",
        "/api/v1/analytics/report.csv?group_by=network",
        "/api/v1/analytics/teams/0b4a41a4-1d0a-4cd3-8a6d-6f0a0f0f0f0f",
        "/api/v1/analytics/people/0b4a41a4-1d0a-4cd3-8a6d-6f0a0f0f0f0f",
        "/api/v1/analytics/campaigns/0b4a41a4-1d0a-4cd3-8a6d-6f0a0f0f0f0f",
        "/api/v1/analytics/content-items/0b4a41a4-1d0a-4cd3-8a6d-6f0a0f0f0f0f",
        "/api/v1/analytics/shares/0b4a41a4-1d0a-4cd3-8a6d-6f0a0f0f0f0f",
        "/api/v1/compliance/audit",
    ],
)
async def test_a_datetime_without_a_time_zone_is_a_422_on_every_analytics_route(
    client: AsyncTestClient[Litestar], admin: Someone, path: str
) -> None:
    joiner = "&" if "?" in path else "?"
    response = await client.get(f"{path}{joiner}since=2026-01-01T00:00:00", headers=admin.headers)
    assert response.status_code == 422, response.text
    assert "time zone" in problem(response)["detail"]


async def test_a_charter_document_nested_deeply_is_a_400_and_drafts_nothing(
    client: AsyncTestClient[Litestar], admin: Someone, db: Database
) -> None:
    before = await _count(db, "charters")
    document = 'title = "x"\nbody_fr = "a"\nbody_en = "b"\nrules = ' + "[" * 100_000 + "]" * 100_000
    response = await client.post(
        "/api/v1/charters/import?format=toml",
        content=document.encode(),
        headers={**admin.headers, "Content-Type": "application/toml"},
    )
    assert response.status_code == 400, response.text
    assert "nested" in problem(response)["detail"]
    assert await _count(db, "charters") == before


async def test_a_charter_document_with_a_nul_is_a_422(
    client: AsyncTestClient[Litestar], admin: Someone, db: Database
) -> None:
    response = await client.post(
        "/api/v1/charters/import?format=json",
        content=b'{"title": "x\\u0000", "body_fr": "a", "body_en": "b"}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert await _count(db, "charters") == 0


async def test_a_csv_field_over_128_kib_is_reported_with_its_line_and_imports_nobody(
    client: AsyncTestClient[Litestar], admin: Someone, db: Database
) -> None:
    before = await _count(db, "people")
    body = "email,display_name\nok@example.com,Ok\nbig@example.com," + "x" * 140_000 + "\n"
    response = await client.post(
        "/api/v1/people/import", content=body.encode(), headers={**admin.headers, "Content-Type": "text/csv"}
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["line"] == 3 and "field limit" in error["reason"]
    assert await _count(db, "people") == before


async def test_the_refusal_of_deep_json_speaks_french_when_asked(
    client: AsyncTestClient[Litestar], admin: Someone
) -> None:
    response = await client.post(
        TOKENS,
        content=b'{"name": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        headers={**admin.headers, "Content-Type": "application/json", "Accept-Language": "fr"},
    )
    assert response.status_code == 400, response.text
    assert "imbriqué" in problem(response)["detail"]
