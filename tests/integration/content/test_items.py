"""Items through the API: creating, editing, versions, and who may do what."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import problem
from tests.factories import Factory
from tests.integration.content.conftest import Library


async def test_a_curator_creates_a_draft_with_captions_per_network_and_language(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    response = await client.post(
        "/api/v1/content/items",
        json={
            "title": "Nouveau site",
            "link": "HTTPS://Example.COM:443/news?id=1#top",
            "captions": [
                {"language": "fr", "body": "Découvrez notre nouveau site"},
                {"language": "fr", "network": "x", "body": "Nouveau site !"},
            ],
            "tags": ["Produit"],
            "caption_policy": "locked",
        },
        headers=curator.headers,
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["status"] == "draft"
    assert item["link"] == "https://example.com/news?id=1"
    assert item["tags"] == ["produit"]
    assert item["version"] == 1
    assert {(c["network"], c["language"]) for c in item["captions"]} == {(None, "fr"), ("x", "fr")}


async def test_a_link_that_is_not_http_is_refused(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    response = await client.post(
        "/api/v1/content/items", json={"title": "x", "link": "javascript:alert(1)"}, headers=curator.headers
    )
    assert response.status_code in (400, 422)
    problem(response)


async def test_an_employee_cannot_create_items(client: AsyncTestClient[Litestar], factory: Factory) -> None:
    employee = await factory.person("employee")
    response = await client.post("/api/v1/content/items", json={"title": "x"}, headers=employee.headers)
    assert response.status_code == 403


async def test_a_reviewer_who_is_not_a_curator_cannot_edit(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    reviewer = await library.reviewer()
    response = await client.patch(
        f"/api/v1/content/items/{item.id}", json={"title": "y"}, headers=reviewer.headers
    )
    assert response.status_code == 403


async def test_editing_an_approved_item_makes_a_new_version_and_sends_it_back_to_review(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.approved(title="Avant")
    curator = await library.curator()
    response = await client.patch(
        f"/api/v1/content/items/{item.id}", json={"title": "Après"}, headers=curator.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_review"
    assert response.json()["version"] == 2
    history = (
        await client.get(f"/api/v1/content/items/{item.id}/transitions", headers=curator.headers)
    ).json()
    assert [(t["from_status"], t["to_status"]) for t in history][-1] == ("approved", "in_review")


async def test_two_versions_can_be_compared(client: AsyncTestClient[Litestar], library: Library) -> None:
    item = await library.draft(title="Avant", tags=["a"])
    curator = await library.curator()
    await client.patch(f"/api/v1/content/items/{item.id}", json={"title": "Après"}, headers=curator.headers)
    versions = (await client.get(f"/api/v1/content/items/{item.id}/versions", headers=curator.headers)).json()
    assert [v["version"] for v in versions] == [2, 1]
    diff = (
        await client.get(
            f"/api/v1/content/items/{item.id}/versions/diff?from=1&to=2", headers=curator.headers
        )
    ).json()
    assert diff["changes"] == [{"field": "title", "before": "Avant", "after": "Après"}]


async def test_a_missing_version_is_not_found(client: AsyncTestClient[Litestar], library: Library) -> None:
    item = await library.draft()
    curator = await library.curator()
    response = await client.get(
        f"/api/v1/content/items/{item.id}/versions/diff?from=1&to=9", headers=curator.headers
    )
    assert response.status_code == 404


async def test_campaigns_are_created_and_items_point_to_them(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    made = await client.post(
        "/api/v1/content/campaigns",
        json={"slug": "rentree-2026", "name": "Rentrée", "points_multiplier": 1.5},
        headers=curator.headers,
    )
    assert made.status_code == 201, made.text
    campaign = made.json()
    assert campaign["points_multiplier"] == 1.5
    again = await client.post(
        "/api/v1/content/campaigns", json={"slug": "rentree-2026", "name": "x"}, headers=curator.headers
    )
    assert again.status_code == 409
    item = await client.post(
        "/api/v1/content/items", json={"title": "t", "campaign": campaign["id"]}, headers=curator.headers
    )
    assert item.json()["campaign"]["slug"] == "rentree-2026"


async def test_a_campaign_is_named_by_its_public_id_or_its_slug_in_bodies_and_filters(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    curator = await library.curator()
    campaign = (
        await client.post(
            "/api/v1/content/campaigns",
            json={"slug": "printemps", "name": "Printemps"},
            headers=curator.headers,
        )
    ).json()
    by_slug = await client.post(
        "/api/v1/content/items", json={"title": "by slug", "campaign": "printemps"}, headers=curator.headers
    )
    assert by_slug.status_code == 201, by_slug.text
    assert by_slug.json()["campaign"]["id"] == campaign["id"]
    by_id = await client.post(
        "/api/v1/content/items",
        json={"title": "by id", "campaign": campaign["id"].upper()},
        headers=curator.headers,
    )
    assert by_id.json()["campaign"]["slug"] == "printemps"
    moved = await client.patch(
        f"/api/v1/content/items/{by_id.json()['id']}", json={"campaign": None}, headers=curator.headers
    )
    assert moved.json()["campaign"] is None
    for key in ("printemps", campaign["id"]):
        listed = await client.get("/api/v1/content/items", params={"campaign": key}, headers=curator.headers)
        assert [i["title"] for i in listed.json()["items"]] == ["by slug"], key
    unknown = await client.post(
        "/api/v1/content/items", json={"title": "x", "campaign": "automne"}, headers=curator.headers
    )
    assert problem(unknown)["status"] == 422 and problem(unknown)["detail"] == "No such campaign."
    malformed = await client.post(
        "/api/v1/content/items", json={"title": "x", "campaign": "Not A Slug!"}, headers=curator.headers
    )
    assert problem(malformed)["status"] in (400, 422)
