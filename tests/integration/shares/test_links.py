"""Tracked links: the redirect and its click (durable before the answer), crawlers and bots, the 24 h window,
self clicks, unknown codes, and the feed's "already shared"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from litestar.testing import AsyncTestClient

from advocacy.app import create_app
from advocacy.links import queries as link_queries
from advocacy.links.schemas import Click
from advocacy.links.service import settle_clicks
from advocacy.links.visitors import VisitorHasher
from advocacy.settings import Settings
from tests.integration.shares.conftest import Sharing

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
OTHER_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0"


def path_of(share: dict[str, Any]) -> str:
    return str(urlsplit(share["link"]).path)


async def follow(sharing: Sharing, share: dict[str, Any], user_agent: str = BROWSER, **headers: str) -> Any:
    return await sharing.client.get(
        path_of(share), headers={"User-Agent": user_agent, **headers}, follow_redirects=False
    )


async def test_a_link_redirects_to_the_content_with_utm_and_its_click_is_stored_before_the_answer(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    response = await follow(sharing, share)
    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    assert target.netloc == "www.example.com" and target.path == "/news/launch"
    assert parse_qs(target.query) == {
        "ref": ["home"],
        "utm_source": ["x"],
        "utm_medium": ["employee_advocacy"],
        "utm_content": [share["id"]],
    }
    # the answer came back: the click is already committed, with no worker and no Redis involved
    rows = await sharing.fetch("SELECT bot, self, counted, visitor_hash FROM clicks")
    assert [(r["bot"], r["self"], r["counted"]) for r in rows] == [(False, False, None)]
    assert len(rows[0]["visitor_hash"]) == 16


async def test_the_campaign_slug_is_the_utm_campaign(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    curator = await sharing.library.curator()
    created = await sharing.client.post(
        "/api/v1/content/campaigns", json={"slug": "spring-launch", "name": "Spring"}, headers=curator.headers
    )
    assert created.status_code == 201, created.text
    item = await sharing.item(campaign=created.json()["id"])
    share = await sharing.ready_share(ambassador, item, network="linkedin")
    query = parse_qs(urlsplit((await follow(sharing, share)).headers["location"]).query)
    assert query["utm_campaign"] == ["spring-launch"] and query["utm_source"] == ["linkedin"]


async def test_a_link_preview_crawler_gets_open_graph_tags_and_is_not_a_click(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(
        ambassador, await sharing.item(title="Notre lancement", summary="Le résumé")
    )
    for agent in (
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    ):
        response = await follow(sharing, share, agent)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert '<meta property="og:title" content="Notre lancement">' in response.text
        assert '<meta name="twitter:description" content="Le résumé">' in response.text
    rows = await sharing.fetch("SELECT bot, preview, counted FROM clicks")
    assert [(r["bot"], r["preview"], r["counted"]) for r in rows] == [(True, True, False)] * 3
    assert (await settle_clicks(sharing.db)).counted == 0


async def test_other_bots_are_recorded_but_never_counted(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    for agent in (
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
    ):
        assert (await follow(sharing, share, agent)).status_code == 302
    rows = await sharing.fetch("SELECT bot, counted FROM clicks")
    assert {(r["bot"], r["counted"]) for r in rows} == {(True, False)}


async def test_a_code_that_is_not_ours_is_a_plain_404_page(sharing: Sharing) -> None:
    for path in ("/l/AAAAAAAAAAAA", "/l/not-a-code!", "/l/x"):
        response = await sharing.client.get(path, headers={"User-Agent": BROWSER}, follow_redirects=False)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Link not found" in response.text
    assert await sharing.fetchval("SELECT count(*) FROM clicks") == 0


async def test_a_link_stays_alive_after_its_content_expires(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    await sharing.execute(
        "UPDATE content_items SET status = 'archived', expires_at = now() - interval '1 second',"
        " starts_at = now() - interval '1 day'"
    )
    assert (await follow(sharing, share)).status_code == 302


async def test_repeated_clicks_from_one_visitor_count_once_and_another_visitor_counts(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    for _ in range(3):
        await follow(sharing, share)
    await follow(sharing, share, OTHER_BROWSER)
    report = await settle_clicks(sharing.db)
    assert (report.settled, report.counted) == (4, 2)
    assert await sharing.fetchval("SELECT count(*) FROM clicks WHERE visitor_hash_prev IS NOT NULL") == 0
    events = await sharing.fetchval("SELECT args->'events' FROM outbox WHERE job = 'incentives.award'")
    assert [(e["kind"], e["quantity"], e["person_id"]) for e in events] == [
        ("click", 2, ambassador.person_id)
    ]
    assert (await settle_clicks(sharing.db)).settled == 0


async def _click(sharing: Sharing, share_id: int, hasher: VisitorHasher, at: datetime) -> None:
    today, yesterday = hasher.today_and_yesterday(at.date(), "203.0.113.9", BROWSER)
    click = Click(
        share_id=share_id, at=at, visitor_hash=today, visitor_hash_prev=yesterday, counted=None, self=False,
        bot=False, preview=False,
    )  # fmt: skip
    async with sharing.db.connection() as conn:
        await link_queries.insert_click_rows(conn, [click])


async def test_the_24_hour_window_slides_and_holds_across_the_daily_key_change(
    sharing: Sharing, settings: Settings
) -> None:
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador)
    share_id = await sharing.fetchval("SELECT id FROM shares")
    hasher = VisitorHasher(settings.secret_key)
    start = datetime(2026, 3, 2, 23, 50, tzinfo=UTC)
    await _click(sharing, share_id, hasher, start)  # counted
    await _click(
        sharing, share_id, hasher, start + timedelta(minutes=20)
    )  # next UTC day, new key: same visitor
    assert (await settle_clicks(sharing.db)).counted == 1
    await _click(sharing, share_id, hasher, start + timedelta(hours=23, minutes=59))  # within 24 h
    assert (await settle_clicks(sharing.db)).counted == 0
    await _click(sharing, share_id, hasher, start + timedelta(hours=24, minutes=1))  # window over
    assert (await settle_clicks(sharing.db)).counted == 1
    hashes = await sharing.fetch("SELECT DISTINCT visitor_hash FROM clicks")
    assert len(hashes) == 2  # one per UTC day (2 and 3 March): the stored hashes do not link days


async def test_the_sharers_own_clicks_are_recorded_but_marked_self(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    await follow(sharing, share, OTHER_BROWSER, Authorization=ambassador.headers["Authorization"])
    # the test client's address and agent made the share: the same browser clicking is the sharer
    await follow(sharing, share, "testclient")
    await follow(sharing, share, BROWSER)
    report = await settle_clicks(sharing.db)
    assert report.counted == 1
    rows = await sharing.fetch("SELECT self, counted FROM clicks ORDER BY id")
    assert [(r["self"], r["counted"]) for r in rows] == [(True, False), (True, False), (False, True)]


async def test_clicks_on_an_opted_out_sharers_link_are_not_counted(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    await sharing.client.post("/api/v1/me/ambassador/opt-out", headers=ambassador.headers)
    assert (await follow(sharing, share)).status_code == 302
    assert (await settle_clicks(sharing.db)).counted == 0
    assert await sharing.fetchval("SELECT count(*) FROM outbox WHERE job = 'incentives.award'") == 0


async def test_clicks_are_recorded_while_redis_is_unreachable(sharing: Sharing, settings: Settings) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    no_redis = create_app(settings.replace(redis_url="redis://127.0.0.1:1/0"))
    async with AsyncTestClient(app=no_redis) as client:
        response = await client.get(path_of(share), headers={"User-Agent": BROWSER}, follow_redirects=False)
    assert response.status_code == 302
    assert await sharing.fetchval("SELECT count(*) FROM clicks") == 1


async def test_a_held_share_is_not_already_shared_in_the_feed_until_approved(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    reviewer = await sharing.factory.person("reviewer")
    item = await sharing.item(title="held")

    async def already_shared() -> bool:
        feed = (await sharing.client.get("/api/v1/feed", headers=ambassador.headers)).json()["items"]
        return bool(next(e for e in feed if e["title"] == "held")["already_shared"])

    held = await sharing.ready_share(ambassador, item, caption="Globex")
    assert held["status"] == "held"
    assert await already_shared() is False
    await sharing.client.post(f"/api/v1/compliance/shares/{held['id']}/approve", headers=reviewer.headers)
    assert await already_shared() is True


async def test_a_head_request_is_answered_without_a_click(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    response = await sharing.client.head(
        path_of(share), headers={"User-Agent": BROWSER}, follow_redirects=False
    )
    assert response.status_code == 302
    assert await sharing.fetchval("SELECT count(*) FROM clicks") == 0


async def test_the_cron_jobs_settle_clicks_and_release_scheduled_shares(sharing: Sharing) -> None:
    from workers.jobs.shares import release_scheduled_shares
    from workers.jobs.shares import settle_clicks as settle_job

    ambassador = await sharing.ambassador()
    share = await sharing.ready_share(ambassador)
    await follow(sharing, share)
    ctx: dict[str, Any] = {"db": sharing.db}
    assert await settle_job(ctx) == 1
    assert await release_scheduled_shares(ctx) == 0
