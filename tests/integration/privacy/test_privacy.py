"""A person can export everything held about them and have their account erased."""

from __future__ import annotations

from typing import Any

from advocacy.db.pool import Database
from tests.conftest import problem
from tests.factories import Factory


async def test_the_export_holds_my_consent_history_and_tokens_but_no_secret(
    client: Any, factory: Factory
) -> None:
    someone = await factory.person(ambassador=True)
    response = await client.get("/api/v1/me/export", headers=someone.headers)
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["person"]["email"] == someone.person.email
    assert [e["kind"] for e in export["records"]["consent_events"]] == ["opted_in"]
    assert export["records"]["api_tokens"][0]["name"] == "tests"
    assert someone.token not in response.text
    assert "token_hash" not in response.text and "password_hash" not in response.text


async def test_the_export_holds_only_my_rows(client: Any, factory: Factory) -> None:
    me = await factory.person(ambassador=True)
    other = await factory.person(ambassador=True)
    export = (await client.get("/api/v1/me/export", headers=me.headers)).json()
    assert other.person.email not in str(export)
    assert all(row["person_id"] == me.person_id for row in export["records"]["consent_events"])


async def test_erasure_opts_out_revokes_credentials_and_removes_what_names_me(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person(ambassador=True, email="erase.me@example.com", display_name="Erase Me")
    unconfirmed = await client.post("/api/v1/me/erasure", json={}, headers=someone.headers)
    assert problem(unconfirmed)["status"] == 422
    erased = await client.post("/api/v1/me/erasure", json={"confirm": "erase"}, headers=someone.headers)
    assert erased.status_code == 202
    assert problem(await client.get("/api/v1/me", headers=someone.headers))["status"] == 401
    async with db.connection() as conn:
        person = await conn.fetchrow("SELECT * FROM people WHERE id = $1", someone.person_id)
        consent = await conn.fetchval(
            "SELECT status FROM ambassadors WHERE person_id = $1", someone.person_id
        )
        jobs = await conn.fetchval("SELECT count(*) FROM outbox WHERE job = 'ambassador.opted_out'")
        history = await conn.fetchval(
            "SELECT count(*) FROM consent_events WHERE person_id = $1", someone.person_id
        )
    assert person["email"].endswith("@erased.invalid") and person["display_name"] == "Erased person"
    assert person["password_hash"] is None and not person["active"]
    assert consent == "opted_out" and jobs == 1
    assert history == 2  # the append-only history stays, pointing at a row that no longer names anyone


async def test_an_admin_erases_a_person_and_others_cannot(client: Any, factory: Factory) -> None:
    admin = await factory.person("admin")
    hr = await factory.person("hr")
    target = await factory.person()
    path = f"/api/v1/people/{target.person.id}/erasure"
    confirm = {"confirm": "erase"}
    assert problem(await client.post(path, json=confirm, headers=hr.headers))["status"] == 403
    assert (await client.post(path, json=confirm, headers=admin.headers)).status_code == 202
    assert (await client.get("/api/v1/me", headers=target.headers)).status_code == 401
