"""Deactivating a person, whether by SCIM, the people API or the people CSV (one code path), ends their
sessions and revokes their API tokens at once, opts them out, and keeps their history."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import problem
from tests.factories import Factory, Someone
from tests.integration.scim.conftest import SCIM, user_payload

PASSWORD = "a long enough password"


async def _switch_off(
    entry: str, client: AsyncTestClient[Litestar], admin: Someone, scim: dict[str, str], ann: Someone
) -> None:
    if entry == "api":
        response = await client.patch(
            f"/api/v1/people/{ann.person.id}", json={"active": False}, headers=admin.headers
        )
        assert response.status_code == 200, response.text
    elif entry == "csv":
        body = f"email,display_name,active\n{ann.person.email},Ann,false\n"
        response = await client.post(
            "/api/v1/people/import", content=body, headers={"Content-Type": "text/csv", **admin.headers}
        )
        assert (response.status_code, response.json()["updated"]) == (200, 1), response.text
    else:
        created = await client.post(f"{SCIM}/Users", json=user_payload(ann.person.email), headers=scim)
        assert created.json()["id"] == str(ann.person.id)  # the provider takes over the imported person
        patch = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
        response = await client.patch(f"{SCIM}/Users/{ann.person.id}", json=patch, headers=scim)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("entry", ["scim", "api", "csv"])
async def test_deactivation_refuses_the_old_session_and_token_at_once_and_opts_out(
    entry: str, client: AsyncTestClient[Litestar], factory: Factory, admin: Someone, scim: dict[str, str]
) -> None:
    ann = await factory.person(email="ann@example.com", password=PASSWORD, ambassador=True)
    signed_in = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 200  # the session cookie works
    assert (await client.get("/api/v1/me", headers=ann.headers)).status_code == 200

    await _switch_off(entry, client, admin, scim, ann)

    assert problem(await client.get("/api/v1/me", headers=ann.headers))["status"] == 401
    assert problem(await client.get("/api/v1/me"))["status"] == 401
    async with factory.db.connection() as conn:
        row: Any = await conn.fetchrow(
            "SELECT p.active, p.email, a.status,"
            " (SELECT array_agg(kind ORDER BY id) FROM consent_events e WHERE e.person_id = p.id) AS events,"
            " (SELECT count(*) FROM outbox o WHERE o.job = 'ambassador.opted_out'"
            "  AND (o.args->>'person_id')::bigint = p.id) AS opt_out_jobs,"
            " (SELECT count(*) FROM audit_log l WHERE l.action = 'person.deactivated') AS audited"
            " FROM people p JOIN ambassadors a ON a.person_id = p.id WHERE p.id = $1",
            ann.person_id,
        )
    assert (row["active"], row["status"], row["opt_out_jobs"], row["audited"]) == (False, "opted_out", 1, 1)
    # kept as the privacy rules keep it: the person (not erased) and their consent history
    assert row["email"] == "ann@example.com"
    assert list(row["events"]) == ["opted_in", "opted_out"]
