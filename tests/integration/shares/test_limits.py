"""Fatigue limits and sharing hours from the organisation's settings, in the person's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from advocacy.shares.service import release_scheduled
from tests.conftest import problem
from tests.integration.shares.conftest import Sharing


async def test_the_daily_limit_refuses_the_next_share_and_says_when_it_may_go(sharing: Sharing) -> None:
    await sharing.set_sharing(max_shares_per_day=2)
    ambassador = await sharing.ambassador(timezone="Europe/Paris")
    await sharing.ready_share(ambassador, network="x")
    await sharing.ready_share(ambassador, network="linkedin")
    refused = await sharing.share(ambassador, await sharing.item(), network="bluesky")
    assert refused.status_code == 409
    body = problem(refused)
    assert body["extra"]["reason"] == "daily-limit"
    may_go = datetime.fromisoformat(body["extra"]["may_go_at"]).astimezone(ZoneInfo("Europe/Paris"))
    assert (may_go.hour, may_go.minute) == (0, 0)
    assert may_go.date() == datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)


async def test_the_per_network_limit_counts_one_network_only(sharing: Sharing) -> None:
    await sharing.set_sharing(max_shares_per_network_per_day=1)
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador, network="x")
    refused = await sharing.share(ambassador, await sharing.item(), network="x")
    assert refused.status_code == 409
    assert problem(refused)["extra"]["reason"] == "network-daily-limit"
    assert (await sharing.share(ambassador, await sharing.item(), network="linkedin")).status_code == 201


async def test_refused_and_withdrawn_shares_do_not_count_towards_the_limit(sharing: Sharing) -> None:
    await sharing.set_sharing(max_shares_per_day=1)
    ambassador = await sharing.ambassador()
    item = await sharing.item()
    assert (await sharing.share(ambassador, item, caption="phoenix")).status_code == 422
    share = await sharing.ready_share(ambassador, item)
    await sharing.client.post(f"/api/v1/shares/{share['id']}/withdraw", headers=ambassador.headers)
    assert (await sharing.share(ambassador, await sharing.item())).status_code == 201


def _closed_today(tz: str) -> dict[str, object]:
    today = datetime.now(ZoneInfo(tz)).isoweekday()
    return {"start": "09:00", "end": "18:00", "weekdays": [d for d in range(1, 8) if d != today]}


async def test_outside_the_sharing_hours_a_share_is_refused_with_the_next_opening(sharing: Sharing) -> None:
    await sharing.set_sharing(sharing_hours=_closed_today("America/New_York"))
    ambassador = await sharing.ambassador(timezone="America/New_York")
    refused = await sharing.share(ambassador, await sharing.item())
    assert refused.status_code == 409
    body = problem(refused)
    assert body["extra"]["reason"] == "outside-sharing-hours"
    opening = datetime.fromisoformat(body["extra"]["may_go_at"]).astimezone(ZoneInfo("America/New_York"))
    assert (opening.hour, opening.minute) == (9, 0)
    assert opening.date() == datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=1)
    assert await sharing.fetchval("SELECT count(*) FROM shares") == 0


async def test_a_share_outside_the_hours_can_be_scheduled_and_the_release_job_makes_it_ready(
    sharing: Sharing,
) -> None:
    await sharing.set_sharing(sharing_hours=_closed_today("Asia/Tokyo"))
    ambassador = await sharing.ambassador(timezone="Asia/Tokyo")
    share = await sharing.ready_share(ambassador, schedule_if_not_now=True)
    assert share["status"] == "scheduled" and share["link"] is None
    due = datetime.fromisoformat(share["scheduled_for"])
    assert await release_scheduled(sharing.db, at=due - timedelta(seconds=1)) == 0
    assert await release_scheduled(sharing.db, at=due) == 1
    released = (await sharing.client.get(f"/api/v1/shares/{share['id']}", headers=ambassador.headers)).json()
    assert released["status"] == "ready" and released["link"] and released["share_url"]


async def test_a_scheduled_share_counts_on_the_day_it_goes(sharing: Sharing) -> None:
    await sharing.set_sharing(max_shares_per_day=1)
    ambassador = await sharing.ambassador(timezone="UTC")
    await sharing.ready_share(ambassador)
    scheduled = await sharing.ready_share(ambassador, schedule_if_not_now=True)
    assert scheduled["status"] == "scheduled"
    third = await sharing.ready_share(ambassador, schedule_if_not_now=True)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert datetime.fromisoformat(third["scheduled_for"]).date() == tomorrow + timedelta(days=1)


async def test_bad_sharing_settings_are_refused(sharing: Sharing) -> None:
    admin = await sharing.factory.person("admin")
    response = await sharing.client.put(
        "/api/v1/organisation/sharing",
        json={"sharing_hours": {"start": "18:00", "end": "09:00"}},
        headers=admin.headers,
    )
    assert response.status_code in (400, 422)
