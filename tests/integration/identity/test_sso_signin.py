"""Single sign-on's shared half (advocacy/identity/sso): a provider's identity to a person and a session
(found by subject or e-mail, created just in time, mapped fields and group roles, refusals), the admin
settings, and password login turned off for everyone but the break-glass administrators."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from advocacy.db.pool import Database
from advocacy.identity.sso.errors import SsoRefused
from advocacy.identity.sso.schemas import IdpIdentity
from advocacy.identity.sso.signin import end_provider_sessions, sign_in_from_idp
from tests.conftest import problem
from tests.eventually import eventually
from tests.factories import Factory

PASSWORD = "correct horse battery"
ISSUER = "https://idp.example.com"


def identity(subject: str, **claims: Any) -> IdpIdentity:
    return IdpIdentity(
        protocol="oidc", issuer=ISSUER, subject=subject, attributes=claims, provider_session="sid-1"
    )


async def configure(client: Any, admin: Any, **body: Any) -> Any:
    return await client.patch("/api/v1/organisation/sso", json=body, headers=admin.headers)


async def test_an_unknown_person_is_refused_while_just_in_time_creation_is_off(
    db: Database, clean: None
) -> None:
    with pytest.raises(SsoRefused) as refused:
        await sign_in_from_idp(db, identity("s1", email="new@example.com"), session_hours=1)
    assert refused.value.extra["reason"] == "unknown-person"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM people") == 0


async def test_just_in_time_creation_maps_the_claims_and_the_group_roles(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    response = await configure(
        client,
        admin,
        jit_creation=True,
        group_roles=[{"group": "comms", "role": "curator"}, {"group": "hr-team", "role": "hr"}],
    )
    assert response.status_code == 200, response.text
    signed_in = await sign_in_from_idp(
        db,
        identity(
            "s2",
            email="Lea@Example.com",
            name="Léa Martin",
            department="Marketing",
            locale="en-GB",
            groups=["comms", "other"],
        ),
        session_hours=1,
    )
    assert signed_in.created
    person = (await client.get(f"/api/v1/people/{signed_in.public_id}", headers=admin.headers)).json()
    assert (person["email"], person["display_name"], person["team"], person["language"]) == (
        "Lea@Example.com",
        "Léa Martin",
        "Marketing",
        "en",
    )
    assert sorted(person["roles"]) == ["curator", "employee"]
    client.cookies.set("advocacy_session", signed_in.token)
    me = await client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["person"]["id"] == str(signed_in.public_id), me.text


async def test_a_known_person_is_found_by_e_mail_then_by_subject_and_kept_up_to_date(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    ana = await factory.person("employee", email="ana@example.com", team="Sales")
    await configure(client, admin, group_roles=[{"group": "reviewers", "role": "reviewer"}])
    first = await sign_in_from_idp(db, identity("s3", email="ANA@example.com"), session_hours=1)
    assert not first.created and first.person_id == ana.person_id
    # the provider's subject now names her, whatever address it sends later
    again = await sign_in_from_idp(
        db,
        identity("s3", email="ana.new@example.com", department="Support", groups=["reviewers"]),
        session_hours=1,
    )
    assert again.person_id == ana.person_id
    person = (await client.get(f"/api/v1/people/{ana.person.id}", headers=admin.headers)).json()
    assert person["team"] == "Support" and sorted(person["roles"]) == ["employee", "reviewer"]
    async with db.connection() as conn:
        audit = await conn.fetchval(
            "SELECT detail FROM audit_log WHERE action = 'person.updated' AND subject_id = $1",
            str(ana.person.id),
        )
    assert audit["source"] == "oidc" and audit["roles"]["after"] == ["employee", "reviewer"]


async def test_an_unverified_e_mail_never_finds_an_existing_account(factory: Factory, db: Database) -> None:
    await factory.person("admin", email="boss@example.com")
    with pytest.raises(SsoRefused) as refused:
        await sign_in_from_idp(
            db, identity("s4", email="boss@example.com", email_verified=False), session_hours=1
        )
    assert refused.value.extra["reason"] == "unknown-person"


async def test_a_deactivated_person_is_refused(client: Any, factory: Factory, db: Database) -> None:
    admin = await factory.person("admin")
    bob = await factory.person("employee", email="bob@example.com")
    patched = await client.patch(
        f"/api/v1/people/{bob.person.id}", json={"active": False}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.text
    with pytest.raises(SsoRefused) as refused:
        await sign_in_from_idp(db, identity("s5", email="bob@example.com"), session_hours=1)
    assert refused.value.extra["reason"] == "deactivated"


async def test_the_providers_logout_ends_the_sessions_it_opened(
    client: Any, factory: Factory, db: Database
) -> None:
    await factory.person("employee", email="eve@example.com")
    signed_in = await sign_in_from_idp(db, identity("s6", email="eve@example.com"), session_hours=1)
    client.cookies.set("advocacy_session", signed_in.token)
    assert (await client.get("/api/v1/me")).status_code == 200
    assert await end_provider_sessions(db, ISSUER, subject=None, provider_session="sid-1") == 1

    async def refused() -> bool:
        return (await client.get("/api/v1/me")).status_code == 401

    # every process hears of the revocation on commit (identity_changed) and drops its cached entry
    await eventually(refused, "the ended session refused")


async def test_password_login_off_refuses_everyone_but_the_break_glass_admins(
    client: Any, factory: Factory
) -> None:
    admin = await factory.person("admin", email="admin@example.com", password=PASSWORD)
    await factory.person("employee", email="emma@example.com", password=PASSWORD)
    refused = await configure(client, admin, password_login_off=True)
    assert refused.status_code == 422 and problem(refused)["errors"][0]["field"] == "break_glass_admins"
    response = await configure(
        client, admin, password_login_off=True, break_glass_admins=[str(admin.person.id)]
    )
    assert response.status_code == 200, response.text
    emma = await client.post("/api/v1/auth/login", json={"email": "emma@example.com", "password": PASSWORD})
    assert emma.status_code == 403 and problem(emma)["type"] == "urn:advocacy:problem:password-login-off"
    wrong = await client.post("/api/v1/auth/login", json={"email": "emma@example.com", "password": "x" * 12})
    assert wrong.status_code == 401  # a wrong password says nothing about the rule
    ok = await client.post("/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
    assert ok.status_code == 200, ok.text
    page = await client.post(
        "/login",
        data={"email": "emma@example.com", "password": PASSWORD},
        follow_redirects=False,
    )
    assert page.status_code == 403 and "son authentification unique" in page.text, page.text[:300]


async def test_only_an_admin_changes_the_sso_settings_and_a_bad_mapping_is_refused(
    client: Any, factory: Factory
) -> None:
    admin = await factory.person("admin")
    hr = await factory.person("hr")
    assert (await configure(client, hr, jit_creation=True)).status_code == 403
    bad = await configure(client, admin, group_roles=[{"group": "x", "role": "king"}])
    assert bad.status_code == 400 or bad.status_code == 422
    settings = (await client.get("/api/v1/organisation/sso", headers=admin.headers)).json()
    assert settings["jit_creation"] is False and settings["claims"]["email"][0] == "email"


async def test_two_first_sign_ins_at_once_make_one_person(
    client: Any, factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    await configure(client, admin, jit_creation=True)
    first, second = await asyncio.gather(
        *(sign_in_from_idp(db, identity("twin", email="twin@example.com"), session_hours=1) for _ in range(2))
    )
    assert first.person_id == second.person_id and first.token != second.token
