"""Every SCIM refusal: wrong token, an API token or a session on /scim, a SCIM token on /api, a revoked
SCIM token, a bad or unsupported filter, a taken userName; each a SCIM error body."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import bearer
from tests.integration.scim.conftest import SCIM, scim_error, user_payload


async def test_a_wrong_token_is_refused_with_a_scim_401(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    response = await client.get(f"{SCIM}/Users", headers=bearer("scim_not-a-real-token"))
    scim_error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    scim_error(await client.get(f"{SCIM}/Users"), 401)


async def test_an_api_token_is_refused_on_scim(client: AsyncTestClient[Litestar], admin: Any) -> None:
    scim_error(await client.get(f"{SCIM}/Users", headers=admin.headers), 403)
    scim_error(
        await client.post(f"{SCIM}/Users", json=user_payload("x@example.com"), headers=admin.headers), 403
    )


async def test_a_session_is_refused_on_scim(client: AsyncTestClient[Litestar], factory: Any) -> None:
    await factory.person("admin", email="boss@example.com", password="correct horse battery staple 9")
    login = await client.post(
        "/api/v1/auth/login", json={"email": "boss@example.com", "password": "correct horse battery staple 9"}
    )
    assert login.status_code == 200, login.text
    scim_error(await client.get(f"{SCIM}/Users"), 403)


async def test_a_scim_token_is_refused_everywhere_else(
    client: AsyncTestClient[Litestar], scim_token: str
) -> None:
    for path in ("/api/v1/me", "/api/v1/people", "/api/v1/admin/scim-tokens", "/healthz"):
        response = await client.get(path, headers=bearer(scim_token))
        assert response.status_code == 403, (path, response.text)


async def test_a_revoked_scim_token_is_refused_at_once(
    client: AsyncTestClient[Litestar], scim: dict[str, str], admin: Any
) -> None:
    assert (await client.get(f"{SCIM}/Users", headers=scim)).status_code == 200
    tokens = (await client.get("/api/v1/admin/scim-tokens", headers=admin.headers)).json()
    assert [t["name"] for t in tokens] == ["Okta"] and "token" not in tokens[0]
    revoked = await client.post(f"/api/v1/admin/scim-tokens/{tokens[0]['id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 204
    scim_error(await client.get(f"{SCIM}/Users", headers=scim), 401)


async def test_only_admins_create_scim_tokens_and_creation_is_audited(
    client: AsyncTestClient[Litestar], factory: Any, admin: Any, scim_token: str
) -> None:
    hr = await factory.person("hr")
    response = await client.post("/api/v1/admin/scim-tokens", json={"name": "Entra"}, headers=hr.headers)
    assert response.status_code == 403
    async with factory.db.connection() as conn:
        actions = await conn.fetch("SELECT action, actor_id FROM audit_log WHERE action LIKE 'scim_token.%'")
        stored = await conn.fetchval("SELECT token_hash FROM scim_tokens")
    assert [(a["action"], a["actor_id"]) for a in actions] == [("scim_token.created", admin.person_id)]
    assert scim_token.encode() not in bytes(stored)


async def test_a_bad_or_unsupported_filter_is_invalid_filter(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    scim_error(await client.get(f"{SCIM}/Users?filter=userName eq", headers=scim), 400, "invalidFilter")
    scim_error(await client.get(f"{SCIM}/Users?filter=title pr", headers=scim), 400, "invalidFilter")
    scim_error(await client.get(f'{SCIM}/Users?filter=nickName eq "x"', headers=scim), 400, "invalidFilter")
    scim_error(
        await client.get(f'{SCIM}/Users?filter=userName eq "a" or userName eq "b"', headers=scim),
        400,
        "invalidFilter",
    )


async def test_a_taken_user_name_is_a_uniqueness_conflict(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    first = await client.post(f"{SCIM}/Users", json=user_payload("twice@example.com"), headers=scim)
    assert first.status_code == 201
    again = await client.post(f"{SCIM}/Users", json=user_payload("TWICE@example.com"), headers=scim)
    scim_error(again, 409, "uniqueness")


async def test_an_unknown_scim_path_and_a_malformed_body_are_scim_errors(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    scim_error(await client.get(f"{SCIM}/Nothing", headers=scim), 404)
    scim_error(await client.get(f"{SCIM}/Users/not-a-uuid", headers=scim), 404)
    response = await client.post(f"{SCIM}/Users", content=b"{not json", headers=scim)
    scim_error(response, 400, "invalidSyntax")
