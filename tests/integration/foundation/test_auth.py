"""Sign-in, sessions with CSRF, API tokens and login throttling, through the HTTP API."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import bearer, problem
from tests.factories import Factory


async def login(client: AsyncTestClient[Any], email: str, password: str = "correct horse battery") -> Any:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_password_login_sets_an_http_only_same_site_session_cookie(
    client: Any, factory: Factory
) -> None:
    someone = await factory.person(password="correct horse battery", email="ana@example.com")
    response = await login(client, "ANA@example.com")
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert "advocacy_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["person"]["email"] == someone.person.email


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: Any, factory: Factory
) -> None:
    await factory.person(password="correct horse battery", email="ana@example.com")
    wrong_password = problem(await login(client, "ana@example.com", "not the password"))
    unknown_email = problem(await login(client, "nobody@example.com", "not the password"))
    assert wrong_password["status"] == unknown_email["status"] == 401
    assert wrong_password["detail"] == unknown_email["detail"]


async def test_repeated_failed_logins_are_throttled(client: Any, factory: Factory) -> None:
    await factory.person(password="correct horse battery", email="ana@example.com")
    statuses = [(await login(client, "ana@example.com", "guess")).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    last = await login(client, "ana@example.com")
    body = problem(last)
    assert body["type"].endswith(":rate-limited")
    assert int(last.headers["retry-after"]) > 0


async def test_a_cookie_authenticated_unsafe_call_needs_the_csrf_token(client: Any, factory: Factory) -> None:
    await factory.person(password="correct horse battery", email="ana@example.com")
    csrf = (await login(client, "ana@example.com")).json()["csrf_token"]
    refused = await client.post("/api/v1/me/tokens", json={"name": "laptop"})
    assert problem(refused)["status"] == 401
    assert "CSRF" in refused.json()["detail"]
    accepted = await client.post("/api/v1/me/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201, accepted.text


async def test_logout_ends_the_session(client: Any, factory: Factory) -> None:
    await factory.person(password="correct horse battery", email="ana@example.com")
    csrf = (await login(client, "ana@example.com")).json()["csrf_token"]
    assert (await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_an_api_token_is_shown_once_and_stored_hashed(client: Any, factory: Factory, db: Any) -> None:
    someone = await factory.person()
    created = await client.post(
        "/api/v1/me/tokens", json={"name": "ci", "expires_in_days": 7}, headers=someone.headers
    )
    assert created.status_code == 201
    token = created.json()["token"]
    listed = await client.get("/api/v1/me/tokens", headers=someone.headers)
    assert token not in listed.text
    async with db.connection() as conn:
        stored = await conn.fetchval(
            "SELECT count(*) FROM api_tokens WHERE token_hash = $1::bytea", token.encode()
        )
    assert stored == 0
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200


async def test_a_revoked_token_stops_working_at_once(client: Any, factory: Factory) -> None:
    someone = await factory.person()
    created = (await client.post("/api/v1/me/tokens", json={"name": "x"}, headers=someone.headers)).json()
    assert (await client.get("/api/v1/me", headers=bearer(created["token"]))).status_code == 200
    revoked = await client.delete(f"/api/v1/me/tokens/{created['id']}", headers=someone.headers)
    assert revoked.status_code == 204
    body = problem(await client.get("/api/v1/me", headers=bearer(created["token"])))
    assert "revoked" in body["detail"]


async def test_an_expired_token_is_refused(client: Any, factory: Factory, db: Any) -> None:
    someone = await factory.person()
    async with db.connection() as conn:
        await conn.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second'")
    body = problem(await client.get("/api/v1/me", headers=someone.headers))
    assert body["status"] == 401 and "expired" in body["detail"]


async def test_a_token_cannot_outlive_the_configured_maximum(client: Any, factory: Factory) -> None:
    someone = await factory.person()
    response = await client.post(
        "/api/v1/me/tokens", json={"name": "x", "expires_in_days": 3650}, headers=someone.headers
    )
    assert problem(response)["status"] == 422


async def test_missing_or_malformed_credentials_get_a_clear_401(client: Any) -> None:
    assert "Sign in" in problem(await client.get("/api/v1/me"))["detail"]
    body = problem(await client.get("/api/v1/me", headers={"Authorization": "Basic abc"}))
    assert "Bearer" in body["detail"]
    assert problem(await client.get("/api/v1/me", headers=bearer("adv_nope")))["status"] == 401


async def test_one_cannot_revoke_another_persons_token(client: Any, factory: Factory) -> None:
    owner = await factory.person()
    other = await factory.person()
    token_id = (await client.get("/api/v1/me/tokens", headers=owner.headers)).json()[0]["id"]
    assert (await client.delete(f"/api/v1/me/tokens/{token_id}", headers=other.headers)).status_code == 404
    assert (await client.get("/api/v1/me", headers=owner.headers)).status_code == 200
