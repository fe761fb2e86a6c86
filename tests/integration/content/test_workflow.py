"""The publishing workflow: allowed moves, forbidden moves, self-approval, alt text before approval."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import problem
from tests.integration.content.conftest import Library, jpeg, upload


async def move(client: AsyncTestClient[Litestar], who: object, item_id: object, to: str) -> object:
    return await client.post(
        f"/api/v1/content/items/{item_id}/transitions",
        json={"to": to, "comment": "ok"},
        headers=who.headers,  # type: ignore[attr-defined]
    )


async def test_a_draft_goes_to_review_then_a_reviewer_approves_it_and_every_move_is_recorded(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    curator, reviewer = await library.curator(), await library.reviewer()
    assert (await move(client, curator, item.id, "in_review")).status_code == 200  # type: ignore[attr-defined]
    approved = await move(client, reviewer, item.id, "approved")
    assert approved.json()["status"] == "approved"  # type: ignore[attr-defined]
    assert approved.json()["live"] is True  # type: ignore[attr-defined]
    history = (
        await client.get(f"/api/v1/content/items/{item.id}/transitions", headers=curator.headers)
    ).json()
    assert [(t["from_status"], t["to_status"]) for t in history] == [
        (None, "draft"),
        ("draft", "in_review"),
        ("in_review", "approved"),
    ]
    assert history[2]["actor"] == str(reviewer.person.id)
    assert history[2]["comment"] == "ok"


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("draft", "approved"),
        ("draft", "draft"),
        ("approved", "in_review"),
        ("approved", "draft"),
        ("archived", "approved"),
        ("archived", "in_review"),
    ],
)
async def test_forbidden_transitions_are_refused_with_a_conflict(
    client: AsyncTestClient[Litestar], library: Library, start: str, target: str
) -> None:
    item = await library.approved() if start in ("approved", "archived") else await library.draft()
    admin = await library.factory.person("admin")
    if start == "archived":
        assert (await move(client, admin, item.id, "archived")).status_code == 200  # type: ignore[attr-defined]
    response = await move(client, admin, item.id, target)
    assert response.status_code == 409  # type: ignore[attr-defined]
    problem(response)


async def test_a_curator_cannot_approve(client: AsyncTestClient[Litestar], library: Library) -> None:
    item = await library.draft()
    curator = await library.curator()
    await move(client, curator, item.id, "in_review")
    response = await move(client, curator, item.id, "approved")
    assert response.status_code == 403  # type: ignore[attr-defined]


async def test_a_curator_reviewer_cannot_approve_their_own_item_unless_the_organisation_allows_it(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    both = await library.factory.person("curator", "reviewer")
    made = await client.post("/api/v1/content/items", json={"title": "t"}, headers=both.headers)
    item_id = made.json()["id"]
    await move(client, both, item_id, "in_review")
    refused = await move(client, both, item_id, "approved")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert problem(refused)["extra"]["reason"] == "self-approval"
    # no setting lets anyone approve their own work (invariant 10): the old one is refused as unknown
    admin = await library.factory.person("admin")
    setting = await client.patch(
        "/api/v1/content/settings", json={"allow_self_approval": True}, headers=admin.headers
    )
    assert setting.status_code in (400, 422)
    assert (await move(client, both, item_id, "approved")).status_code == 403  # type: ignore[attr-defined]


async def test_an_item_with_images_needs_alt_text_in_each_language_before_approval(
    client: AsyncTestClient[Litestar], library: Library
) -> None:
    item = await library.draft()
    curator, reviewer = await library.curator(), await library.reviewer()
    image = (await upload(client, curator, item.id, jpeg())).json()
    await move(client, curator, item.id, "in_review")
    refused = await move(client, reviewer, item.id, "approved")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert problem(refused)["extra"]["languages"] == ["en", "fr"]
    await client.patch(
        f"/api/v1/content/items/{item.id}/images/{image['id']}",
        json={"alt_text": {"fr": "Une photo", "en": "A photo"}},
        headers=curator.headers,
    )
    assert (await move(client, reviewer, item.id, "approved")).status_code == 200  # type: ignore[attr-defined]
