"""SCIM Users: create, read, replace, PATCH (with Entra ID's habits), filter, paging, ETags, delete."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.scim.conftest import SCIM, SCIM_JSON, scim_error, user_payload


async def _create(
    client: AsyncTestClient[Litestar], scim: dict[str, str], user_name: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(f"{SCIM}/Users", json=user_payload(user_name, **extra), headers=scim)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_user_is_created_read_back_and_found_by_user_name(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    created = await client.post(f"{SCIM}/Users", json=user_payload("ada@example.com"), headers=scim)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    body = created.json()
    assert body["userName"] == "ada@example.com"
    assert created.headers["etag"] == body["meta"]["version"]
    assert created.headers["location"] == body["meta"]["location"]
    got = await client.get(f"{SCIM}/Users/{body['id']}", headers=scim)
    assert got.json() == body
    found = await client.get(f'{SCIM}/Users?filter=userName eq "ADA@example.com"', headers=scim)
    assert found.json()["totalResults"] == 1
    assert found.json()["Resources"][0]["id"] == body["id"]


async def test_the_person_behind_a_user_has_its_name_and_address(
    client: AsyncTestClient[Litestar], scim: dict[str, str], admin: Any
) -> None:
    user = await _create(client, scim, "grace@example.com", title="Rear admiral", preferredLanguage="en-GB")
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert (person["email"], person["display_name"], person["job_title"], person["language"]) == (
        "grace@example.com", "Ada Lovelace", "Rear admiral", "en",
    )  # fmt: skip


async def test_filters_by_external_id_and_display_name_and_pages(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    for n in range(5):
        await _create(client, scim, f"u{n}@example.com", externalId=f"ext-{n}", displayName=f"Person {n}")
    by_external = (await client.get(f'{SCIM}/Users?filter=externalId eq "ext-3"', headers=scim)).json()
    assert [u["userName"] for u in by_external["Resources"]] == ["u3@example.com"]
    contains = (await client.get(f'{SCIM}/Users?filter=displayName co "son"', headers=scim)).json()
    assert contains["totalResults"] == 5
    page = (await client.get(f"{SCIM}/Users?startIndex=2&count=2", headers=scim)).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [u["userName"] for u in page["Resources"]] == ["u1@example.com", "u2@example.com"]


async def test_entra_patch_with_string_false_and_pathless_replace_deactivates(
    client: AsyncTestClient[Litestar], scim: dict[str, str], admin: Any
) -> None:
    user = await _create(client, scim, "entra@example.com")
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "value": {"active": "False", "displayName": "Entra Person"}},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "moved@example.com"},
        ],
    }
    response = await client.patch(f"{SCIM}/Users/{user['id']}", json=patch, headers=scim)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["active"], body["displayName"], body["emails"][0]["value"]) == (
        False, "Entra Person", "moved@example.com",
    )  # fmt: skip
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert (person["active"], person["email"]) == (False, "moved@example.com")


async def test_put_replaces_and_if_match_must_name_the_current_version(
    client: AsyncTestClient[Litestar], scim: dict[str, str]
) -> None:
    user = await _create(client, scim, "etag@example.com")
    stale = user["meta"]["version"]
    replaced = await client.put(
        f"{SCIM}/Users/{user['id']}",
        json=user_payload("etag@example.com", displayName="Renamed"),
        headers={**scim, "If-Match": stale},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["displayName"] == "Renamed"
    assert replaced.headers["etag"] != stale
    again = await client.put(
        f"{SCIM}/Users/{user['id']}",
        json=user_payload("etag@example.com"),
        headers={**scim, "If-Match": stale},
    )
    scim_error(again, 412)
    deleted = await client.delete(f"{SCIM}/Users/{user['id']}", headers={**scim, "If-Match": stale})
    scim_error(deleted, 412)


async def test_a_deleted_user_is_gone_from_scim_and_the_person_is_switched_off(
    client: AsyncTestClient[Litestar], scim: dict[str, str], admin: Any
) -> None:
    user = await _create(client, scim, "gone@example.com")
    assert (await client.delete(f"{SCIM}/Users/{user['id']}", headers=scim)).status_code == 204
    scim_error(await client.get(f"{SCIM}/Users/{user['id']}", headers=scim), 404)
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert person["active"] is False


async def test_a_person_imported_before_scim_is_taken_over_by_address(
    client: AsyncTestClient[Litestar], scim: dict[str, str], factory: Any
) -> None:
    imported = await factory.person(email="known@example.com")
    user = await _create(client, scim, "known@example.com")
    assert user["id"] == str(imported.person.id)


async def test_groups_map_to_teams_and_members_follow(
    client: AsyncTestClient[Litestar], scim: dict[str, str], admin: Any
) -> None:
    user = await _create(client, scim, "member@example.com")
    group = await client.post(
        f"{SCIM}/Groups",
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Marketing"},
        headers=scim,
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    add = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": user["id"]}]}],
    }
    response = await client.patch(f"{SCIM}/Groups/{group_id}", json=add, headers=scim)
    assert response.status_code == 200, response.text
    assert [m["value"] for m in response.json()["members"]] == [user["id"]]
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert person["team"] == "Marketing"
    read_back = (await client.get(f"{SCIM}/Users/{user['id']}", headers=scim)).json()
    assert [g["display"] for g in read_back["groups"]] == ["Marketing"]
    remove = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": f'members[value eq "{user["id"]}"]'}],
    }
    response = await client.patch(f"{SCIM}/Groups/{group_id}", json=remove, headers=scim)
    assert response.status_code == 200, response.text
    assert "members" not in response.json()
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert person["team"] is None
    found = (await client.get(f'{SCIM}/Groups?filter=displayName eq "Marketing"', headers=scim)).json()
    assert found["totalResults"] == 1


async def test_discovery_endpoints_answer(client: AsyncTestClient[Litestar], scim: dict[str, str]) -> None:
    config = (await client.get(f"{SCIM}/ServiceProviderConfig", headers=scim)).json()
    assert config["patch"]["supported"] and config["etag"]["supported"] and config["filter"]["supported"]
    types = (await client.get(f"{SCIM}/ResourceTypes", headers=scim)).json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    schemas = (await client.get(f"{SCIM}/Schemas", headers=scim)).json()
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in {s["id"] for s in schemas["Resources"]}
    one = await client.get(f"{SCIM}/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", headers=scim)
    assert one.json()["id"] == "urn:ietf:params:scim:schemas:core:2.0:Group"


async def test_a_group_the_sso_group_role_table_names_gives_its_role_and_is_no_team(
    client: AsyncTestClient[Litestar], scim: dict[str, str], admin: Any
) -> None:
    table = {"group_roles": [{"group": "Advocacy Curators", "role": "curator"}]}
    changed = await client.patch("/api/v1/organisation/sso", json=table, headers=admin.headers)
    assert changed.status_code == 200, changed.text
    user = await _create(client, scim, "curator@example.com")
    group = await client.post(
        f"{SCIM}/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Advocacy Curators",
            "members": [{"value": user["id"]}],
        },
        headers=scim,
    )
    assert group.status_code == 201, group.text
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert (sorted(person["roles"]), person["team"]) == (["curator", "employee"], None)
    assert (await client.delete(f"{SCIM}/Groups/{group.json()['id']}", headers=scim)).status_code == 204
    person = (await client.get(f"/api/v1/people/{user['id']}", headers=admin.headers)).json()
    assert person["roles"] == ["employee"]
