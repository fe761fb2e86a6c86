"""Sharing: the charter decides at submit time; refusals, holds, warnings, re-shares, idempotency, withdrawal
and confirmation, each through the API."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest

from tests.conftest import problem
from tests.integration.shares.conftest import X_POST, Sharing


async def test_an_allowed_share_is_ready_with_a_tracked_link_and_the_networks_share_page(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador, caption="Bonne nouvelle")
    assert share["status"] == "ready"
    assert share["verdict"]["decision"] == "allow"
    assert share["link"].startswith("http://127.0.0.1:8000/l/")
    page = urlsplit(share["share_url"])
    assert (page.netloc, page.path) == ("x.com", "/intent/tweet")
    assert parse_qs(page.query) == {"text": ["Bonne nouvelle"], "url": [share["link"]]}


async def test_a_blocked_share_leaves_no_trace_but_its_refusal_record(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    response = await sharing.share(ambassador, item, caption="Le projet phoenix arrive")
    assert response.status_code == 422
    body = problem(response)
    assert body["type"].endswith("share-refused")
    findings = body["extra"]["verdict"]["findings"]
    assert findings and {f["severity"] for f in findings} == {"block"}
    assert findings[0]["message"]
    rows = await sharing.fetch("SELECT status, verdict->>'decision' AS decision FROM shares")
    assert [(r["status"], r["decision"]) for r in rows] == [("refused", "block")]
    assert await sharing.fetchval("SELECT count(*) FROM share_verdicts") == 1
    assert await sharing.fetchval("SELECT count(*) FROM tracked_links") == 0
    assert await sharing.fetchval("SELECT count(*) FROM outbox") == 0
    assert await sharing.fetchval("SELECT count(*) FROM share_sharer_visitors") == 0


async def test_a_share_the_charter_sends_to_review_is_held_without_a_link(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador, caption="Mieux que Globex")
    assert share["status"] == "held"
    assert share["verdict"]["decision"] == "review"
    assert share["link"] is None and share["share_url"] is None


async def test_a_warned_share_needs_the_employees_acknowledgement(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    refused = await sharing.share(ambassador, item, caption="Un produit incroyable")
    assert refused.status_code == 422
    assert problem(refused)["extra"]["reason"] == "warnings-not-acknowledged"
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0
    accepted = await sharing.share(
        ambassador, item, caption="Un produit incroyable", acknowledge_warnings=True
    )
    assert accepted.status_code == 201
    assert accepted.json()["status"] == "ready"
    assert accepted.json()["warning_acknowledged"] is True


async def test_the_verdict_is_stored_with_the_charter_version_and_its_history_is_append_only(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    version = await sharing.fetchval("SELECT version FROM charters WHERE status = 'active'")
    assert share["charter_version"] == version
    row = await sharing.fetch("SELECT charter_version, outcome, checked_text FROM share_verdicts")
    assert [(r["charter_version"], r["outcome"]) for r in row] == [(version, "allow")]
    assert row[0]["checked_text"].startswith("Bonne nouvelle pour nos clients")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await sharing.execute("UPDATE share_verdicts SET outcome = 'block'")


async def test_someone_who_has_not_opted_in_cannot_share(sharing: Sharing) -> None:
    employee = await sharing.factory.person("employee")
    response = await sharing.share(employee, await sharing.item())
    assert response.status_code == 403
    assert problem(response)["type"].endswith("not-an-ambassador")


async def test_an_item_that_is_not_live_cannot_be_shared(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    draft = await sharing.library.draft(title="draft", link="https://www.example.com/d")
    response = await sharing.share(ambassador, draft)
    assert response.status_code in (404, 409)
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0


async def test_sharing_an_item_to_the_same_network_again_is_refused_unless_the_item_allows_it(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    once = await sharing.item(title="once")
    await sharing.ready_share(ambassador, once)
    again = await sharing.share(ambassador, once)
    assert again.status_code == 409
    assert problem(again)["extra"]["reason"] == "already-shared"
    assert (await sharing.share(ambassador, once, network="bluesky")).status_code == 201
    repeatable = await sharing.item(title="repeatable", allow_reshare=True)
    await sharing.ready_share(ambassador, repeatable)
    assert (await sharing.share(ambassador, repeatable)).status_code == 201


async def test_a_locked_caption_must_go_out_as_approved(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item(
        caption_policy="locked", captions=[{"language": "fr", "body": "Le texte approuvé par la com"}]
    )
    changed = await sharing.share(ambassador, item, caption="Un tout autre texte")
    assert changed.status_code == 422
    assert problem(changed)["type"].endswith("share-refused")
    kept = await sharing.share(ambassador, item, caption="Le texte approuvé par la com", network="linkedin")
    assert kept.status_code == 201, kept.text


async def test_an_idempotency_key_replays_the_first_answer_and_stores_one_share(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    key = {"Idempotency-Key": "share-0001-abcdef"}
    first = await sharing.share(ambassador, item, headers=key)
    second = await sharing.share(ambassador, item, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 1


async def test_an_employee_cannot_read_or_withdraw_another_persons_share(sharing: Sharing) -> None:
    owner, other = await sharing.ambassador(), await sharing.ambassador()
    share = await sharing.ready_share(owner)
    read = await sharing.client.get(f"/api/v1/shares/{share['id']}", headers=other.headers)
    withdraw = await sharing.client.post(f"/api/v1/shares/{share['id']}/withdraw", headers=other.headers)
    confirm = await sharing.client.post(
        f"/api/v1/shares/{share['id']}/confirm", json={"post_url": X_POST}, headers=other.headers
    )
    assert read.status_code == withdraw.status_code == confirm.status_code == 404
    listed = await sharing.client.get("/api/v1/shares", headers=other.headers)
    assert listed.json()["items"] == []
    assert await sharing.fetchval("SELECT status FROM shares") == "ready"


async def test_confirming_checks_the_post_url_shape_then_publishes_and_earns_points(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    url = f"/api/v1/shares/{share['id']}/confirm"
    wrong = await sharing.client.post(
        url, json={"post_url": "https://evil.example/status/1"}, headers=ambassador.headers
    )
    assert wrong.status_code == 422
    right = await sharing.client.post(
        url, json={"post_url": "https://x.com/jane/status/1790000000000000000"}, headers=ambassador.headers
    )
    assert right.status_code == 200
    assert right.json()["status"] == "published"
    assert right.json()["post_url"] == "https://x.com/jane/status/1790000000000000000"
    assert await sharing.fetchval("SELECT external_post_id FROM shares") == "1790000000000000000"
    events = await sharing.fetchval("SELECT args->'events' FROM outbox WHERE job = 'incentives.award'")
    assert [(e["kind"], e["person_id"]) for e in events] == [("share_published", ambassador.person_id)]


async def test_i_posted_it_without_the_post_address_is_refused_and_pays_nothing(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    url = f"/api/v1/shares/{share['id']}/confirm"
    for body in (None, {}, {"post_url": None}):
        response = await sharing.client.post(url, json=body, headers=ambassador.headers)
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    other_domain = await sharing.client.post(
        url, json={"post_url": "https://x.com.evil.example/jane/status/1"}, headers=ambassador.headers
    )
    assert other_domain.status_code == 422
    assert await sharing.fetchval("SELECT status FROM shares") == "ready"
    assert await sharing.fetchval("SELECT count(*) FROM outbox WHERE job = 'incentives.award'") == 0


async def test_withdrawing_a_published_share_takes_its_points_back(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    await sharing.client.post(
        f"/api/v1/shares/{share['id']}/confirm", json={"post_url": X_POST}, headers=ambassador.headers
    )
    response = await sharing.client.post(f"/api/v1/shares/{share['id']}/withdraw", headers=ambassador.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["withdrawn_at"]
    args = await sharing.fetchval("SELECT args FROM outbox WHERE job = 'incentives.reverse_share'")
    assert args["reason"] == "withdrawn"
    again = await sharing.client.post(f"/api/v1/shares/{share['id']}/withdraw", headers=ambassador.headers)
    assert again.status_code == 409


async def connect(sharing: Sharing, who: object, network: str, status: str = "active") -> None:
    """A connected account as the connect flow leaves it (its tokens are never used here)."""
    await sharing.execute(
        "INSERT INTO connected_accounts (person_id, network, base_url, external_id, handle, access_token, status)"
        " VALUES ($1, $2, 'https://api.example.com', 'ext-1', 'me', '\\x00', $3)",
        who.person_id,  # type: ignore[attr-defined]
        network,
        status,
    )


async def test_a_direct_share_queues_publishing_in_the_outbox(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    await connect(sharing, ambassador, "x")
    share = await sharing.ready_share(ambassador, mode="direct")
    assert share["share_url"] is None
    assert (
        await sharing.fetchval("SELECT args->>'share_id' FROM outbox WHERE job = 'shares.publish'")
        is not None
    )


async def test_mastodon_share_pages_need_the_employees_server_and_use_it(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    unknown = await sharing.share(ambassador, item, network="mastodon")
    assert unknown.status_code == 422
    assert problem(unknown)["extra"]["reason"] == "mastodon-instance-unknown"
    saved = await sharing.client.put(
        "/api/v1/me/share-preferences",
        json={"mastodon_instance": "Mastodon.Social"},
        headers=ambassador.headers,
    )
    assert saved.json() == {"mastodon_instance": "mastodon.social"}
    share = (await sharing.share(ambassador, item, network="mastodon")).json()
    page = urlsplit(share["share_url"])
    assert (page.netloc, page.path) == ("mastodon.social", "/share")
    assert parse_qs(page.query)["text"] == [f"{share['caption']}\n\n{share['link']}"]


async def test_linkedin_and_facebook_pages_take_the_link_and_offer_the_caption_for_copying(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    for network, host, param in (
        ("linkedin", "www.linkedin.com", "url"),
        ("facebook", "www.facebook.com", "u"),
    ):
        share = (await sharing.share(ambassador, item, network=network, caption="À copier")).json()
        page = urlsplit(share["share_url"])
        assert page.netloc == host
        assert parse_qs(page.query) == {param: [share["link"]]}
        assert share["caption_for_copy"] == "À copier"


async def test_chosen_images_must_be_the_items_own(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    response = await sharing.share(
        ambassador, await sharing.item(), images=["00000000-0000-0000-0000-000000000001"]
    )
    assert response.status_code == 422
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0


async def test_direct_publishing_needs_a_connector_and_the_employees_own_active_account(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    unavailable = await sharing.share(ambassador, item, network="instagram", mode="direct")
    assert unavailable.status_code == 422
    assert problem(unavailable)["extra"]["reason"] == "direct-publishing-unavailable"
    not_connected = await sharing.share(ambassador, item, network="linkedin", mode="direct")
    assert not_connected.status_code == 422
    assert problem(not_connected)["extra"]["reason"] == "account-not-connected"
    assert "/api/v1/me/connections/linkedin/start" in problem(not_connected)["detail"]
    await connect(sharing, ambassador, "linkedin", status="needs_reconnect")
    stale = await sharing.share(ambassador, item, network="linkedin", mode="direct")
    assert problem(stale)["extra"]["reason"] == "account-needs-reconnect"
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0


async def test_an_item_offered_for_some_networks_cannot_be_shared_to_others(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item(networks=["linkedin"])
    refused = await sharing.share(ambassador, item, network="x")
    assert refused.status_code == 422
    assert problem(refused)["extra"] == {"reason": "network-not-offered", "networks": ["linkedin"]}
    assert (await sharing.share(ambassador, item, network="linkedin")).status_code == 201


async def test_an_instagram_share_page_gives_the_caption_to_copy_and_takes_the_post_url(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador, network="instagram")
    assert share["share_url"] is None
    assert share["caption_for_copy"].startswith("Bonne nouvelle pour nos clients")
    confirmed = await sharing.client.post(
        f"/api/v1/shares/{share['id']}/confirm",
        json={"post_url": "https://www.instagram.com/p/C0dEfGhIjKl/"},
        headers=ambassador.headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "published"
