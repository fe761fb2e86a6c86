"""Forgot, reset and change a password: same answer for unknown addresses, rate limits, single-use links,
and every change ends the person's other sessions (a reset also revokes their API tokens)."""

from __future__ import annotations

from typing import Any

from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.identity.mailer import Outbox, text_of, token_in

OLD = "correct horse battery"
NEW = "plum orchard at dusk"


async def session_of(client: Any, email: str, password: str = OLD) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh sign-in."""
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    cookie = response.cookies["advocacy_session"]
    client.cookies.clear()
    return cookie, response.json()["csrf_token"]


async def me_with(client: Any, cookie: str) -> int:
    client.cookies.set("advocacy_session", cookie)
    try:
        return int((await client.get("/api/v1/me")).status_code)
    finally:
        client.cookies.clear()


async def reset_token(client: Any, db: Database, settings: Settings, email: str) -> str:
    assert (await client.post("/api/v1/auth/password/forgot", json={"email": email})).status_code == 202
    [message] = [m for m in await Outbox().deliver(db, settings) if "/password/reset?" in text_of(m)]
    return token_in(message, "/password/reset")


async def test_a_reset_link_sets_a_new_password_and_ends_every_session_and_token(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    ana = await factory.person(email="ana@example.com", password=OLD, language="en")
    cookie, _ = await session_of(client, "ana@example.com")
    token = await reset_token(client, db, settings, "ana@example.com")
    response = await client.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW})
    assert response.status_code == 204, response.text
    assert await me_with(client, cookie) == 401
    assert (await client.get("/api/v1/me", headers=ana.headers)).status_code == 401
    assert (
        await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": OLD})
    ).status_code == 401
    assert (
        await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": NEW})
    ).status_code == 200
    [notice] = await Outbox().deliver(db, settings)
    assert notice["Subject"] == "Your Advocacy password was changed"
    async with db.connection() as conn:
        audit = await conn.fetchrow("SELECT detail FROM audit_log WHERE action = 'password.reset'")
    assert audit["detail"] == {"sessions_ended": 1, "tokens_revoked": 1}


async def test_a_reset_link_works_once_and_not_after_it_expires(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    await factory.person(email="ana@example.com", password=OLD)
    token = await reset_token(client, db, settings, "ana@example.com")
    assert (
        await client.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW})
    ).status_code == 204
    again = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW + " again"}
    )
    assert again.status_code == 410 and problem(again)["type"] == "urn:advocacy:problem:reset-link-used"

    token = await reset_token(client, db, settings, "ana@example.com")
    async with db.connection() as conn:
        await conn.execute("UPDATE password_resets SET expires_at = now() - interval '1 second'")
    late = await client.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW + " later"})
    assert late.status_code == 410 and problem(late)["type"] == "urn:advocacy:problem:reset-link-expired"


async def test_forgot_password_answers_the_same_for_an_unknown_address_and_sends_nothing(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    await factory.person(email="ana@example.com", password=OLD)
    known = await client.post("/api/v1/auth/password/forgot", json={"email": "ana@example.com"})
    unknown = await client.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.com"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, known.json())
    messages = await Outbox().deliver(db, settings)
    assert [m["To"] for m in messages] == ["ana@example.com"]
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM mail_messages WHERE to_address = 'nobody@example.com'")
            == 0
        )


async def test_forgot_password_is_rate_limited_for_known_and_unknown_addresses_alike(
    client: Any, factory: Factory, settings: Settings
) -> None:
    await factory.person(email="ana@example.com", password=OLD)
    for email in ("ana@example.com", "nobody@example.com"):
        answers = [
            (await client.post("/api/v1/auth/password/forgot", json={"email": email})).status_code
            for _ in range(settings.password_resets_per_hour + 1)
        ]
        assert answers == [202] * settings.password_resets_per_hour + [429], email
    limited = await client.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.com"})
    assert (
        problem(limited)["type"] == "urn:advocacy:problem:rate-limited"
        and int(limited.headers["retry-after"]) > 0
    )


async def test_changing_a_password_needs_the_current_one_and_ends_the_other_sessions(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    ana = await factory.person(email="ana@example.com", password=OLD)
    other, _ = await session_of(client, "ana@example.com")
    mine, csrf = await session_of(client, "ana@example.com")
    client.cookies.set("advocacy_session", mine)
    headers = {"X-CSRF-Token": csrf}
    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": NEW},
        headers=headers,
    )
    assert wrong.status_code == 422 and problem(wrong)["errors"][0]["field"] == "current_password"
    weak = await client.post(
        "/api/v1/me/password", json={"current_password": OLD, "new_password": "qwerty123456"}, headers=headers
    )
    assert weak.status_code == 422 and problem(weak)["errors"][0]["field"] == "new_password"
    changed = await client.post(
        "/api/v1/me/password", json={"current_password": OLD, "new_password": NEW}, headers=headers
    )
    assert changed.status_code == 204, changed.text
    assert (await client.get("/api/v1/me")).status_code == 200  # this session stays
    client.cookies.clear()
    assert await me_with(client, other) == 401
    assert (await client.get("/api/v1/me", headers=ana.headers)).status_code == 200  # API tokens stay
    async with db.connection() as conn:
        audit = await conn.fetchrow(
            "SELECT actor_id, detail FROM audit_log WHERE action = 'password.changed'"
        )
    assert audit["actor_id"] == ana.person_id and audit["detail"]["sessions_ended"] == 1


async def test_guessing_the_current_password_is_rate_limited(client: Any, factory: Factory) -> None:
    ana = await factory.person(email="ana@example.com", password=OLD)
    statuses = [
        (
            await client.post(
                "/api/v1/me/password",
                json={"current_password": f"guess {i}", "new_password": NEW},
                headers=ana.headers,
            )
        ).status_code
        for i in range(11)
    ]
    assert statuses == [422] * 10 + [429]
