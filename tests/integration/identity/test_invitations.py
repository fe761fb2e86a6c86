"""Invitations: HR invites one person, a team or everyone without a password; the invitee chooses a password
with a single-use link that expires and can be re-sent or revoked."""

from __future__ import annotations

from typing import Any

from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.identity.mailer import Outbox, token_in

PASSWORD = "plum orchard at dusk"


async def invite(client: Any, hr: Any, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/invitations", json=body, headers=hr.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def invited_token(client: Any, db: Database, settings: Settings, hr: Any, someone: Any) -> str:
    assert (await invite(client, hr, person_ids=[str(someone.person.id)]))["invited"] == 1
    [message] = await Outbox().deliver(db, settings)
    return token_in(message, "/invitation")


async def test_an_invitee_chooses_a_password_with_the_link_and_signs_in(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr = await factory.person("hr")
    ana = await factory.person(email="ana@example.com", display_name="Ana Martin", language="en")
    outbox = Outbox()
    assert (await invite(client, hr, person_ids=[str(ana.person.id)])) == {"invited": 1, "skipped": []}
    [message] = await outbox.deliver(db, settings)
    assert message["To"] == "ana@example.com" and message["Subject"] == "You are invited to Advocacy"
    token = token_in(message, "/invitation")
    async with db.connection() as conn:
        stored = await conn.fetchval("SELECT token_hash FROM invitations")
    assert token.encode() not in bytes(stored) and len(stored) == 32  # only the hash is kept

    preview = await client.get("/api/v1/auth/invitation", params={"token": token})
    assert preview.status_code == 200 and preview.json()["email"] == "ana@example.com"
    accepted = await client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 204, accepted.text
    login = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
    assert login.status_code == 200
    listed = await client.get("/api/v1/invitations", headers=hr.headers)
    assert [i["status"] for i in listed.json()["items"]] == ["accepted"]
    async with db.connection() as conn:
        actions = [r["action"] for r in await conn.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert "invitations.sent" in actions and "invitation.accepted" in actions


async def test_an_invitation_link_works_once(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr, ana = await factory.person("hr"), await factory.person()
    token = await invited_token(client, db, settings, hr, ana)
    first = await client.post("/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD})
    assert first.status_code == 204
    again = await client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD + "!"}
    )
    assert again.status_code == 410 and problem(again)["type"] == "urn:advocacy:problem:invitation-used"


async def test_an_expired_invitation_link_is_refused(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr, ana = await factory.person("hr"), await factory.person()
    token = await invited_token(client, db, settings, hr, ana)
    async with db.connection() as conn:
        await conn.execute("UPDATE invitations SET expires_at = now() - interval '1 second'")
    response = await client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD}
    )
    assert (
        response.status_code == 410 and problem(response)["type"] == "urn:advocacy:problem:invitation-expired"
    )
    preview = await client.get("/api/v1/auth/invitation", params={"token": token})
    assert preview.status_code == 410


async def test_a_revoked_invitation_link_is_refused_and_an_unsent_one_is_never_sent(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr, ana, bob = await factory.person("hr"), await factory.person(), await factory.person()
    token = await invited_token(client, db, settings, hr, ana)
    listed = (await client.get("/api/v1/invitations", headers=hr.headers)).json()["items"]
    revoked = await client.post(f"/api/v1/invitations/{listed[0]['id']}/revoke", headers=hr.headers)
    assert revoked.status_code == 204
    response = await client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD}
    )
    assert (
        response.status_code == 410 and problem(response)["type"] == "urn:advocacy:problem:invitation-revoked"
    )

    await invite(client, hr, person_ids=[str(bob.person.id)])
    pending = (await client.get("/api/v1/invitations?status=pending", headers=hr.headers)).json()["items"]
    await client.post(f"/api/v1/invitations/{pending[0]['id']}/revoke", headers=hr.headers)
    assert await Outbox().deliver(db, settings) == []  # revoked before its mail left: the mail is cancelled


async def test_a_resent_invitation_has_a_new_link_and_the_old_one_stops_working(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr, ana = await factory.person("hr"), await factory.person()
    old = await invited_token(client, db, settings, hr, ana)
    [invitation] = (await client.get("/api/v1/invitations", headers=hr.headers)).json()["items"]
    resent = await client.post(f"/api/v1/invitations/{invitation['id']}/resend", headers=hr.headers)
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    [message] = await Outbox().deliver(db, settings)
    new = token_in(message, "/invitation")
    assert new != old
    assert (await client.get("/api/v1/auth/invitation", params={"token": old})).status_code == 404
    assert (
        await client.post("/api/v1/auth/invitation/accept", json={"token": new, "password": PASSWORD})
    ).status_code == 204
    refused = await client.post(f"/api/v1/invitations/{invitation['id']}/resend", headers=hr.headers)
    assert refused.status_code == 409


async def test_a_team_or_everyone_without_a_password_is_invited_and_nobody_twice(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr = await factory.person("hr", team="People")
    sales = [await factory.person(team="Sales") for _ in range(3)]
    await factory.person(team="Sales", password="an existing password")
    others = [await factory.person(team="Support") for _ in range(2)]
    team = await invite(client, hr, team="sales")
    assert team["invited"] == 3 and [s["reason"] for s in team["skipped"]] == ["has-password"]
    everyone = await invite(client, hr, everyone_without_credential=True)
    # hr itself has no password either (made by the factory with a token only)
    assert everyone["invited"] == len(others) + 1 and len(everyone["skipped"]) == len(sales)
    messages = await Outbox().deliver(db, settings)
    assert len(messages) == len(sales) + len(others) + 1
    assert len({m["To"] for m in messages}) == len(messages)


async def test_an_invitation_names_exactly_one_audience_and_known_people(
    client: Any, factory: Factory
) -> None:
    hr = await factory.person("hr")
    both = await client.post(
        "/api/v1/invitations", json={"team": "Sales", "everyone_without_credential": True}, headers=hr.headers
    )
    assert both.status_code == 422
    unknown = await client.post(
        "/api/v1/invitations",
        json={"person_ids": ["00000000-0000-4000-8000-000000000000"]},
        headers=hr.headers,
    )
    assert unknown.status_code == 404
    employee = await factory.person()
    assert (
        await client.post(
            "/api/v1/invitations", json={"everyone_without_credential": True}, headers=employee.headers
        )
    ).status_code == 403


async def test_a_short_common_or_personal_password_is_refused_with_the_field_named(
    client: Any, factory: Factory, db: Database, settings: Settings
) -> None:
    hr = await factory.person("hr")
    ana = await factory.person(email="ana.martin@example.com", display_name="Ana Martin")
    token = await invited_token(client, db, settings, hr, ana)
    for weak in ("short pass", "qwerty123456", "password1234!", "ana.martin@example.com", "aaaaaaaaaaaaaaaa"):
        response = await client.post(
            "/api/v1/auth/invitation/accept", json={"token": token, "password": weak}
        )
        body = problem(response)
        assert response.status_code == 422 and body["errors"][0]["field"] == "password", weak
    # the link still works after refusals
    assert (
        await client.post("/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD})
    ).status_code == 204


async def test_an_unknown_invitation_token_is_a_404(client: Any) -> None:
    response = await client.post(
        "/api/v1/auth/invitation/accept", json={"token": "x" * 43, "password": PASSWORD}
    )
    assert response.status_code == 404
