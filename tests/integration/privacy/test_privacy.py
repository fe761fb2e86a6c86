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


async def test_the_export_holds_my_points_ledger_and_every_audit_row_about_me_or_by_me(
    client: Any, factory: Factory, db: Database
) -> None:
    me = await factory.person(ambassador=True)
    other = await factory.person(ambassador=True)
    async with db.connection() as conn:
        for who, key in ((me, "mine"), (other, "theirs")):
            await conn.execute(
                "INSERT INTO points_ledger (person_id, kind, points, source_type, reason_code,"
                " idempotency_key, occurred_at) VALUES ($1, 'kudos', 5, 'kudos', 'kudos', $2, now())",
                who.person_id,
                key,
            )
        await conn.execute(
            "INSERT INTO audit_log (actor_id, action, subject_type, subject_id) VALUES"
            " ($1, 'by.me', 'item', 'x'), (NULL, 'about.me', 'person', $2),"
            " (NULL, 'about.me.by.address', 'person', $3), (NULL, 'about.them', 'person', $4)",
            me.person_id,
            str(me.person.id),
            me.person.email,
            str(other.person_id),
        )
    export = (await client.get("/api/v1/me/export", headers=me.headers)).json()
    assert [row["idempotency_key"] for row in export["records"]["points_ledger"]] == ["mine"]
    actions = {row["action"] for row in export["records"]["audit_log"]}
    assert {"by.me", "about.me", "about.me.by.address"} <= actions
    assert "about.them" not in actions


async def test_every_column_that_names_a_person_is_in_the_export(db: Database) -> None:
    """A new table that stores a person's id under any usual name is found by the export: by its foreign
    key to people, or by the naming convention the export follows for append-only tables."""
    from advocacy.privacy.queries import columns_naming_people

    async with db.connection() as conn:
        candidates = await conn.fetch(
            """
            SELECT c.relname AS table_name, a.attname AS column_name
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND c.relname <> 'people'
                AND a.atttypid IN ('bigint'::regtype, 'integer'::regtype)
                AND a.attname ~ '(person|people|actor|_by$|owner|author|reviewer|winner|recipient|sharer|invit|member|user|employee|ambassador)'
            """
        )
        covered = set(await columns_naming_people(conn))
    # columns that hold a count or a setting, not a person's id
    not_a_person = {("rewards", "per_person_limit")}
    missing = {(r["table_name"], r["column_name"]) for r in candidates} - covered - not_a_person
    assert not missing, f"columns naming a person that the export leaves out: {sorted(missing)}"
