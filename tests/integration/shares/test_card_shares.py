"""Card shares: a person shares the card of one of their own badges through the normal share flow (charter,
limits, idempotency, tracked link, confirmation, withdrawal); the link leads to the card's public page,
whose Open Graph tags show the card PNG; a card share earns no points and is no content item anywhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from advocacy.links.service import settle_clicks
from tests.conftest import problem
from tests.factories import Someone
from tests.integration.shares.conftest import Sharing
from tests.integration.shares.test_links import BROWSER, OTHER_BROWSER, follow, path_of

LINKEDIN_BOT = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
TWITTER_BOT = "Twitterbot/1.0"


async def award(sharing: Sharing, who: Someone, badge: str = "first_share", period: str = "") -> str:
    """A badge award as the incentives workers record it; returns its public id (as /me/badges shows it)."""
    public_id = await sharing.fetchval(
        "INSERT INTO badge_awards (person_id, badge, period) VALUES ($1, $2, $3) RETURNING public_id",
        who.person_id,
        badge,
        period,
    )
    return str(public_id)


async def share_card(
    sharing: Sharing, who: Someone, badge: str, *, headers: dict[str, str] | None = None, **body: Any
) -> Any:
    body.setdefault("network", "linkedin")
    body.setdefault("caption", "Fière de ce badge !")
    return await sharing.client.post(
        "/api/v1/shares", json={"badge": badge, **body}, headers={**who.headers, **(headers or {})}
    )


async def ready_card(sharing: Sharing, who: Someone, badge: str | None = None, **body: Any) -> dict[str, Any]:
    response = await share_card(sharing, who, badge or await award(sharing, who), **body)
    assert response.status_code == 201, response.text
    share: dict[str, Any] = response.json()
    return share


async def test_sharing_my_badge_card_gives_a_share_page_and_a_tracked_link_to_the_card_page(
    sharing: Sharing,
) -> None:
    ann = await sharing.ambassador(display_name="Ann Martin", language="en")
    badge = await award(sharing, ann, "top10_month", "2026-11")
    share = await ready_card(sharing, ann, badge, language="en")
    assert share["status"] == "ready" and share["verdict"]["decision"] == "allow"
    assert share["badge"] == badge and share["item"] is None and share["item_title"] is None
    assert share["badge_name"]
    assert share["link"].startswith("http://127.0.0.1:8000/l/")
    page = urlsplit(share["share_url"])
    assert (page.netloc, page.path) == ("www.linkedin.com", "/sharing/share-offsite/")
    assert parse_qs(page.query) == {"url": [share["link"]]}
    code = path_of(share).rsplit("/", 1)[1]
    assert share["card_image"] == f"http://127.0.0.1:8000/cards/{code}/card.png"
    # a person following the link is counted and sent to the card's page here
    followed = await follow(sharing, share)
    assert followed.status_code == 302 and followed.headers["location"] == f"/cards/{code}"
    assert await sharing.fetchval("SELECT count(*) FROM clicks WHERE NOT bot") == 1
    card_page = await sharing.client.get(f"/cards/{code}")
    assert card_page.status_code == 200 and card_page.headers["content-type"].startswith("text/html")
    assert "Ann Martin" in card_page.text and share["card_image"] in card_page.text
    assert card_page.headers["cache-control"] == "public, max-age=300"
    # the CSP (style-src 'self') refuses inline style attributes: the page's look comes from our stylesheet
    assert "style=" not in card_page.text and "/static/app.css" in card_page.text


async def test_a_link_preview_crawler_gets_open_graph_tags_with_the_card_png_which_is_served(
    sharing: Sharing,
) -> None:
    ann = await sharing.ambassador(display_name="Ann Martin", language="en")
    share = await ready_card(sharing, ann, language="en")
    for agent in (LINKEDIN_BOT, TWITTER_BOT):
        response = await follow(sharing, share, agent)
        assert response.status_code == 200
        assert f'<meta property="og:image" content="{share["card_image"]}">' in response.text
        assert f'<meta name="twitter:image" content="{share["card_image"]}">' in response.text
        assert '<meta name="twitter:card" content="summary_large_image">' in response.text
        assert '<meta property="og:title" content="Ann Martin — ' in response.text
    rows = await sharing.fetch("SELECT bot, preview, counted FROM clicks")
    assert [(r["bot"], r["preview"], r["counted"]) for r in rows] == [(True, True, False)] * 2
    png = await sharing.client.get(urlsplit(share["card_image"]).path)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.headers["cache-control"] == "public, max-age=3600"
    revalidated = await sharing.client.get(
        urlsplit(share["card_image"]).path, headers={"If-None-Match": png.headers["etag"]}
    )
    assert revalidated.status_code == 304 and revalidated.content == b""


async def test_another_persons_award_cannot_be_shared(sharing: Sharing) -> None:
    owner, other = await sharing.ambassador(), await sharing.ambassador()
    badge = await award(sharing, owner)
    response = await share_card(sharing, other, badge)
    assert response.status_code == 404
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0


async def test_an_opted_out_person_cannot_share_their_award_and_their_shared_card_comes_down(
    sharing: Sharing,
) -> None:
    ann = await sharing.ambassador()
    shared = await ready_card(sharing, ann)
    waiting = await award(sharing, ann, "shares_10")
    await sharing.client.post("/api/v1/me/ambassador/opt-out", headers=ann.headers)
    refused = await share_card(sharing, ann, waiting)
    assert refused.status_code in (403, 409), refused.text
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 1
    code = path_of(shared).rsplit("/", 1)[1]
    assert (await sharing.client.get(f"/cards/{code}")).status_code == 404
    assert (await sharing.client.get(f"/cards/{code}/card.png")).status_code == 404
    crawled = await follow(sharing, shared, LINKEDIN_BOT)
    assert crawled.status_code == 302  # no preview naming the person: on to the page that says it is gone


async def test_the_charter_still_blocks_a_blocked_caption_for_a_card_share(sharing: Sharing) -> None:
    ann = await sharing.ambassador()
    response = await share_card(sharing, ann, await award(sharing, ann), caption="Merci au projet phoenix")
    assert response.status_code == 422
    assert problem(response)["type"].endswith("share-refused")
    rows = await sharing.fetch("SELECT status, badge_award_id IS NOT NULL AS card FROM shares")
    assert [(r["status"], r["card"]) for r in rows] == [("refused", True)]
    assert await sharing.fetchval("SELECT count(*) FROM share_verdicts") == 1
    assert await sharing.fetchval("SELECT count(*) FROM tracked_links") == 0


async def test_a_held_card_share_reaches_the_compliance_queue_and_gets_its_link_when_approved(
    sharing: Sharing,
) -> None:
    ann = await sharing.ambassador()
    held = await ready_card(sharing, ann, caption="Mieux que Globex")
    assert held["status"] == "held" and held["link"] is None
    reviewer = await sharing.factory.person("reviewer")
    queue = (await sharing.client.get("/api/v1/compliance/shares", headers=reviewer.headers)).json()
    assert [(s["share"]["id"], s["share"]["badge"]) for s in queue["items"]] == [(held["id"], held["badge"])]
    approved = await sharing.client.post(
        f"/api/v1/compliance/shares/{held['id']}/approve", headers=reviewer.headers
    )
    assert approved.status_code == 200 and approved.json()["status"] == "ready"
    assert approved.json()["link"] and approved.json()["card_image"]
    export = await sharing.client.get("/api/v1/compliance/audit/export", headers=reviewer.headers)
    assert export.status_code == 200 and "share.approved" in export.text


async def test_a_card_share_earns_no_points_neither_for_going_out_nor_for_its_clicks(
    sharing: Sharing,
) -> None:
    ann = await sharing.ambassador()
    share = await ready_card(sharing, ann, network="x")
    confirmed = await sharing.client.post(
        f"/api/v1/shares/{share['id']}/confirm",
        json={"post_url": "https://x.com/ann/status/1790000000000000000"},
        headers=ann.headers,
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "published"
    await follow(sharing, share, BROWSER)
    await follow(sharing, share, OTHER_BROWSER)
    assert (await settle_clicks(sharing.db)).counted == 2
    assert await sharing.fetchval("SELECT count(*) FROM outbox WHERE job = 'incentives.award'") == 0


async def test_a_card_goes_out_once_per_network_and_counts_towards_the_daily_limit(sharing: Sharing) -> None:
    await sharing.set_sharing(max_shares_per_day=2)
    ann = await sharing.ambassador()
    badge = await award(sharing, ann)
    await ready_card(sharing, ann, badge, network="x")
    again = await share_card(sharing, ann, badge, network="x")
    assert again.status_code == 409 and problem(again)["extra"]["reason"] == "already-shared"
    await ready_card(sharing, ann, badge, network="bluesky")
    over = await sharing.share(ann, await sharing.item())
    assert over.status_code == 409 and problem(over)["extra"]["reason"] == "daily-limit"


async def test_an_idempotency_key_replays_a_card_share(sharing: Sharing) -> None:
    ann = await sharing.ambassador()
    badge = await award(sharing, ann)
    key = {"Idempotency-Key": "card-share-0001"}
    first = await share_card(sharing, ann, badge, headers=key)
    second = await share_card(sharing, ann, badge, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 1


async def test_a_share_names_an_item_or_a_badge_and_a_card_takes_no_other_image(sharing: Sharing) -> None:
    ann = await sharing.ambassador()
    badge = await award(sharing, ann)
    item = await sharing.item()
    both = await sharing.client.post(
        "/api/v1/shares",
        json={"item": str(item.id), "badge": badge, "network": "x", "caption": "Hello"},
        headers=ann.headers,
    )
    neither = await sharing.client.post(
        "/api/v1/shares", json={"network": "x", "caption": "Hello"}, headers=ann.headers
    )
    assert both.status_code == neither.status_code == 422
    assert "either `item`" in str(problem(both)) and "either `item`" in str(problem(neither))
    images = await share_card(sharing, ann, badge, images=[str(item.id)])
    assert images.status_code == 422
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0


async def test_withdrawing_a_card_share_takes_its_card_page_down(sharing: Sharing) -> None:
    ann = await sharing.ambassador()
    share = await ready_card(sharing, ann)
    withdrawn = await sharing.client.post(f"/api/v1/shares/{share['id']}/withdraw", headers=ann.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    code = path_of(share).rsplit("/", 1)[1]
    gone = await sharing.client.get(f"/cards/{code}")
    assert gone.status_code == 404 and "Card not available" in gone.text
    assert (await sharing.client.get("/cards/AAAAAAAAAAAA")).status_code == 404


async def test_a_card_share_is_no_content_item_in_the_feed_analytics_or_my_data_export(
    sharing: Sharing,
) -> None:
    ann = await sharing.ambassador()
    item = await sharing.item(title="Launch")
    card = await ready_card(sharing, ann)
    feed = await sharing.client.get("/api/v1/feed", headers=ann.headers)
    assert feed.status_code == 200
    assert [(i["id"], i["already_shared"]) for i in feed.json()["items"]] == [(str(item.id), False)]
    listed = (await sharing.client.get("/api/v1/shares", headers=ann.headers)).json()["items"]
    assert [s["id"] for s in listed] == [card["id"]]
    curator = await sharing.factory.person("curator")
    report = await sharing.client.get(
        "/api/v1/analytics/report", params={"group_by": "content_item"}, headers=curator.headers
    )
    assert report.status_code == 200 and report.json() == []
    export = await sharing.client.get("/api/v1/me/export", headers=ann.headers)
    assert export.status_code == 200
    [row] = export.json()["records"]["shares"]
    assert row["content_item_id"] is None and row["badge_award_id"] is not None
