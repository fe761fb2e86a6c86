"""SCIM tests: an admin, and a SCIM token that admin created through the API."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import bearer
from tests.factories import Factory, Someone

SCIM = "/scim/v2"
SCIM_JSON = "application/scim+json"


@pytest.fixture
async def admin(factory: Factory) -> Someone:
    return await factory.person("admin", "employee")


@pytest.fixture
async def scim_token(client: AsyncTestClient[Litestar], admin: Someone) -> str:
    response = await client.post("/api/v1/admin/scim-tokens", json={"name": "Okta"}, headers=admin.headers)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture
def scim(scim_token: str) -> dict[str, str]:
    return {**bearer(scim_token), "Content-Type": SCIM_JSON}


def user_payload(user_name: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def scim_error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    """The SCIM error body of a response, checking its status, media type and scimType."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert str(body["status"]) == str(status)
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body
