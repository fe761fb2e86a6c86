"""Ambassador opt-in is real: charter version and time recorded, append-only consent, expiry, re-acceptance."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from advocacy.ambassadors.service import OPTED_OUT_JOB
from advocacy.db.pool import Database
from tests.conftest import problem
from tests.factories import Factory

AMBASSADOR = "/api/v1/me/ambassador"


async def status(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["ambassador"]
    return result


async def history(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/me/consent-history", headers=headers)
    assert response.status_code == 200
    events: list[dict[str, Any]] = response.json()
    return events


async def test_nobody_is_an_ambassador_before_opting_in(client: Any, factory: Factory) -> None:
    await factory.charter()
    someone = await factory.person()
    before = await status(client, someone.headers)
    assert before["is_ambassador"] is False and before["status"] == "never"
    assert before["active_charter_version"] == 1


async def test_opting_in_to_another_charter_version_is_a_conflict_naming_the_version_in_force(
    client: Any, factory: Factory
) -> None:
    await factory.charter()
    await factory.charter()
    someone = await factory.person()
    body = problem(await client.post(AMBASSADOR, json={"charter_version": 1}, headers=someone.headers))
    assert body["status"] == 409
    assert "version 2 is in force" in body["detail"]
    assert body["extra"]["active_charter_version"] == 2
    assert (await status(client, someone.headers))["is_ambassador"] is False


async def test_opting_in_with_no_charter_in_force_is_a_conflict(client: Any, factory: Factory) -> None:
    someone = await factory.person()
    assert (
        problem(await client.post(AMBASSADOR, json={"charter_version": 1}, headers=someone.headers))["status"]
        == 409
    )


async def test_opting_in_records_the_charter_version_the_time_and_a_consent_event(
    client: Any, factory: Factory
) -> None:
    await factory.charter()
    someone = await factory.person()
    response = await client.post(AMBASSADOR, json={"charter_version": 1}, headers=someone.headers)
    assert response.status_code == 200, response.text
    now = await status(client, someone.headers)
    assert now["is_ambassador"] is True and now["status"] == "opted_in"
    assert now["charter_version"] == 1 and now["accepted_at"] is not None
    assert now["expires_at"] > now["accepted_at"]
    [event] = await history(client, someone.headers)
    assert (event["kind"], event["charter_version"]) == ("opted_in", 1)


async def test_consent_events_cannot_be_edited(factory: Factory, db: Database) -> None:
    someone = await factory.person(ambassador=True)
    async with db.connection() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(
                "UPDATE consent_events SET kind = 'opted_out' WHERE person_id = $1", someone.person_id
            )
        assert (
            await conn.fetchval("SELECT kind FROM consent_events WHERE person_id = $1", someone.person_id)
            == "opted_in"
        )


async def test_consent_events_of_an_erased_person_go_with_them(factory: Factory, db: Database) -> None:
    # The trigger forbids UPDATE only: erasure (ON DELETE CASCADE from people) must still remove a person's history.
    someone = await factory.person(ambassador=True)
    async with db.connection() as conn:
        await conn.execute("DELETE FROM people WHERE id = $1", someone.person_id)
        assert (
            await conn.fetchval("SELECT count(*) FROM consent_events WHERE person_id = $1", someone.person_id)
            == 0
        )


async def test_the_audit_log_refuses_update_and_delete(factory: Factory, db: Database) -> None:
    await factory.person("admin")
    await factory.charter()  # writes audit rows
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_log") > 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE audit_log SET action = 'nothing'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")


async def test_opting_out_takes_effect_at_once_and_queues_the_follow_up_work(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person(ambassador=True)
    assert (await status(client, someone.headers))["is_ambassador"] is True
    response = await client.post(f"{AMBASSADOR}/opt-out", headers=someone.headers)
    assert response.status_code == 200
    assert response.json()["is_ambassador"] is False
    after = await status(client, someone.headers)
    assert after["is_ambassador"] is False and after["status"] == "opted_out" and after["opted_out_at"]
    assert [e["kind"] for e in await history(client, someone.headers)] == ["opted_in", "opted_out"]
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT job, args, status FROM outbox")
    assert [(r["job"], r["args"], r["status"]) for r in rows] == [
        (OPTED_OUT_JOB, {"person_id": someone.person_id}, "pending")
    ]


async def test_opting_out_twice_records_and_queues_it_once(
    client: Any, factory: Factory, db: Database
) -> None:
    someone = await factory.person(ambassador=True)
    await client.post(f"{AMBASSADOR}/opt-out", headers=someone.headers)
    await client.post(f"{AMBASSADOR}/opt-out", headers=someone.headers)
    assert [e["kind"] for e in await history(client, someone.headers)] == ["opted_in", "opted_out"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1


@pytest.mark.parametrize("visibility", ["public", "team_only", "anonymous", "hidden"])
async def test_an_ambassador_chooses_how_they_appear_on_leaderboards(
    client: Any, factory: Factory, visibility: str
) -> None:
    someone = await factory.person(ambassador=True)
    response = await client.patch(
        f"{AMBASSADOR}/visibility", json={"visibility": visibility}, headers=someone.headers
    )
    assert response.status_code == 200, response.text
    assert (await status(client, someone.headers))["visibility"] == visibility
    last = (await history(client, someone.headers))[-1]
    assert (last["kind"], last["visibility"]) == ("visibility_changed", visibility)


async def test_an_unknown_visibility_is_refused_with_a_field_error(client: Any, factory: Factory) -> None:
    someone = await factory.person(ambassador=True)
    response = await client.patch(
        f"{AMBASSADOR}/visibility", json={"visibility": "famous"}, headers=someone.headers
    )
    body = problem(response)
    assert body["status"] == 422
    assert [e["field"] for e in body["errors"]] == ["visibility"]
    assert (await status(client, someone.headers))["visibility"] == "public"


async def test_consent_older_than_the_validity_period_must_be_renewed(client: Any, factory: Factory) -> None:
    someone = await factory.person(ambassador=True)
    await factory.age_consent(someone, days=366)
    expired = await status(client, someone.headers)
    assert expired["consent_expired"] is True and expired["is_ambassador"] is False
    renewed = await client.post(AMBASSADOR, json={"charter_version": 1}, headers=someone.headers)
    assert renewed.status_code == 200
    now = await status(client, someone.headers)
    assert now["is_ambassador"] is True and now["consent_expired"] is False
    assert [e["kind"] for e in await history(client, someone.headers)] == ["opted_in", "renewed"]


async def test_a_material_charter_change_asks_every_ambassador_to_accept_again(
    client: Any, factory: Factory
) -> None:
    someone = await factory.person(ambassador=True)
    await factory.charter(material_change=True)
    pending = await status(client, someone.headers)
    assert pending["needs_reacceptance"] is True and pending["is_ambassador"] is False
    assert pending["active_charter_version"] == 2
    accepted = await client.post(AMBASSADOR, json={"charter_version": 2}, headers=someone.headers)
    assert accepted.status_code == 200
    now = await status(client, someone.headers)
    assert now["is_ambassador"] is True and now["needs_reacceptance"] is False and now["charter_version"] == 2
    assert [e["kind"] for e in await history(client, someone.headers)] == ["opted_in", "reaccepted"]


async def test_a_non_material_charter_change_does_not_ask_again(client: Any, factory: Factory) -> None:
    someone = await factory.person(ambassador=True)
    await factory.charter(material_change=False)
    now = await status(client, someone.headers)
    assert now["is_ambassador"] is True and now["needs_reacceptance"] is False
    assert (now["charter_version"], now["active_charter_version"]) == (1, 2)


async def test_opting_in_again_after_opting_out_is_a_fresh_opt_in(client: Any, factory: Factory) -> None:
    someone = await factory.person(ambassador=True)
    await client.post(f"{AMBASSADOR}/opt-out", headers=someone.headers)
    again = await client.post(AMBASSADOR, json={"charter_version": 1}, headers=someone.headers)
    assert again.json()["is_ambassador"] is True
    assert [e["kind"] for e in await history(client, someone.headers)] == [
        "opted_in",
        "opted_out",
        "opted_in",
    ]


async def test_visibility_belongs_to_ambassadors(client: Any, factory: Factory) -> None:
    await factory.charter()
    someone = await factory.person()
    response = await client.patch(
        f"{AMBASSADOR}/visibility", json={"visibility": "hidden"}, headers=someone.headers
    )
    assert problem(response)["status"] == 409
