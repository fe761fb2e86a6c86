"""SCIM Users: create, read, replace, PATCH (with Entra ID's habits), filter, paging, ETags, delete."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.scim.conftest import SCIM, SCIM_JSON, scim_error, user_payload


async def test_a_user_is_created_read_back_and_found_by_user_name(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    created = await client.post(f"{SCIM}/Users", json=user_payload("ada@example.com"), headers=scim)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    body = created.json()
    assert body["userName"] == "ada@example.com"
    assert body["displayName"] if "displayName" in body else True
    assert created.headers["etag"] == body["meta"]["version"]
    assert created.headers["location"] == body["meta"]["location"]
    got = await client.get(f"{SCIM}/Users/{body['id']}", headers=scim)
    assert got.json() == body
    found = await client.get(f'{SCIM}/Users?filter=userName eq "ADA@example.com"', headers=scim)
    assert found.json()["totalResults"] == 1
    assert found.json()["Resources"][0]["id"] == body["id"]
