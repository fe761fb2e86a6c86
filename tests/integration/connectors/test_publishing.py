"""The shares.publish job against the fake networks: exactly once, 429 / Retry-After, backoff, refusals
that reach the employee, and a retry after an unknown outcome that looks before posting again."""

from __future__ import annotations

from typing import Any

import pytest

from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.publishing import Publisher
from advocacy.connectors.registry import Registry
from advocacy.db.pool import Database
from advocacy.outbox.service import enqueue, run_row
from tests.factories import Factory, Someone
from tests.integration.connectors.conftest import Fakes, connect, direct_share
from workers.jobs import outbox_handlers


class Recorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def publish(
    db: Database, registry: Registry, cipher: TokenCipher, share_id: int, sleep: Recorder
) -> str:
    publisher = Publisher(db, registry, cipher, None, sleep=sleep)
    async with db.transaction() as conn:
        return await publisher.publish(conn, share_id)


async def share_row(db: Database, share_id: int) -> Any:
    async with db.connection() as conn:
        return await conn.fetchrow(
            "SELECT s.status, s.status_reason, s.external_post_id, s.external_post_url, p.state, p.outcome_unknown"
            " FROM shares s LEFT JOIN share_publications p ON p.share_id = s.id WHERE s.id = $1",
            share_id,
        )


@pytest.fixture
async def alice(factory: Factory) -> Someone:
    return await factory.person("employee", ambassador=True, language="fr")


async def test_a_network_answering_500_then_200_publishes_exactly_once(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    await connect(db, registry, cipher, alice, "x")
    share_id = await direct_share(db, alice, "x")
    fakes.x.fail_next(
        "tweets", 500, {"title": "Internal Server Error", "detail": "Something went wrong", "status": 500}
    )
    sleep = Recorder()
    assert await publish(db, registry, cipher, share_id, sleep) == "published"
    assert len(fakes.x.posts) == 1
    assert fakes.x.count("tweets") == 2 and fakes.x.count("timeline") == 1  # looked before posting again
    row = await share_row(db, share_id)
    assert row["status"] == "published" and row["external_post_id"] == fakes.x.posts[0]["id"]
    assert f"/l/code{share_id:08d}" in fakes.x.posts[0]["text"]
    assert await publish(db, registry, cipher, share_id, sleep) == "already-published"
    assert len(fakes.x.posts) == 1


async def test_a_500_after_the_post_was_made_is_found_rather_than_posted_again(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    await connect(db, registry, cipher, alice, "mastodon", instance=fakes.mastodon.base_url)
    share_id = await direct_share(db, alice, "mastodon")
    fakes.mastodon.fail_next("statuses", 502, {"error": "Bad gateway"}, after_action=True)
    assert await publish(db, registry, cipher, share_id, Recorder()) == "published"
    assert len(fakes.mastodon.posts) == 1 and fakes.mastodon.count("statuses") == 1
    assert (await share_row(db, share_id))["external_post_id"] == fakes.mastodon.posts[0]["id"]


async def test_a_timeout_after_sending_is_resolved_by_the_next_run_without_a_second_post(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    await connect(db, registry, cipher, alice, "linkedin")
    share_id = await direct_share(db, alice, "linkedin")
    # The post is made, then the answer stalls past the client's timeout, four times: the run gives up.
    fakes.linkedin.fail_next("posts", 201, None, after_action=True, delay=2.5)
    fakes.linkedin.fail_next("list_posts", 503, {"message": "busy", "status": 503}, times=3)
    assert await publish(db, registry, cipher, share_id, Recorder()) == "rescheduled"
    assert (await share_row(db, share_id))["outcome_unknown"] is True
    assert await publish(db, registry, cipher, share_id, Recorder()) == "published"
    assert len(fakes.linkedin.posts) == 1 and fakes.linkedin.count("posts") == 1


async def test_429_with_retry_after_is_waited_out_then_posted_once(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    await connect(db, registry, cipher, alice, "mastodon", instance=fakes.mastodon.base_url)
    share_id = await direct_share(db, alice, "mastodon")
    fakes.mastodon.fail_next("statuses", 429, {"error": "Too many requests"}, {"Retry-After": "7"})
    sleep = Recorder()
    assert await publish(db, registry, cipher, share_id, sleep) == "published"
    assert sleep.waits == [7.0]
    assert len(fakes.mastodon.posts) == 1 and fakes.mastodon.count("account_statuses") == 0


async def test_a_long_rate_limit_reschedules_the_job_for_when_the_window_resets(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    await connect(db, registry, cipher, alice, "x")
    share_id = await direct_share(db, alice, "x")
    from tests.fakes.x import too_many

    status, body, headers = too_many(900)
    fakes.x.fail_next("tweets", status, body, headers)
    sleep = Recorder()
    assert await publish(db, registry, cipher, share_id, sleep) == "rescheduled"
    assert sleep.waits == [] and fakes.x.posts == []
    async with db.connection() as conn:
        due = await conn.fetchval(
            "SELECT next_attempt_at - now() FROM outbox WHERE job = 'shares.publish' AND args->>'share_id' = $1",
            str(share_id),
        )
    assert 850 < due.total_seconds() <= 900
    assert (await share_row(db, share_id))["outcome_unknown"] is False  # a 429 proves nothing was posted


async def test_a_refused_post_fails_the_share_with_a_reason_the_employee_reads(
    api: Any, db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    await connect(db, registry, cipher, alice, "bluesky")
    share_id = await direct_share(db, alice, "bluesky")
    fakes.bluesky.fail_next(
        "createRecord",
        400,
        {"error": "InvalidRequest", "message": "Record/text must not be longer than 300 graphemes"},
    )
    assert await publish(db, registry, cipher, share_id, Recorder()) == "failed"
    row = await share_row(db, share_id)
    assert row["status"] == "failed" and "300 graphemes" in row["status_reason"]
    assert row["status_reason"].startswith("bluesky a refusé")  # in the employee's language (fr)
    async with db.connection() as conn:
        public_id = await conn.fetchval("SELECT public_id FROM shares WHERE id = $1", share_id)
    seen = await api.get(f"/api/v1/shares/{public_id}/publication", headers=alice.headers)
    assert seen.status_code == 200, seen.text
    assert seen.json()["state"] == "failed" and "300 graphemes" in seen.json()["reason_en"]


async def test_nobody_reads_another_persons_publication(
    api: Any,
    db: Database,
    registry: Registry,
    cipher: TokenCipher,
    alice: Someone,
    factory: Factory,
    fakes: Fakes,
) -> None:
    share_id = await direct_share(db, alice, "x")
    mallory = await factory.person("employee", ambassador=True)
    async with db.connection() as conn:
        public_id = await conn.fetchval("SELECT public_id FROM shares WHERE id = $1", share_id)
    seen = await api.get(f"/api/v1/shares/{public_id}/publication", headers=mallory.headers)
    assert seen.status_code == 404


async def test_without_a_connected_account_the_share_fails_with_a_reason(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes
) -> None:
    share_id = await direct_share(db, alice, "linkedin")
    assert await publish(db, registry, cipher, share_id, Recorder()) == "failed"
    assert "connect" in (await share_row(db, share_id))["status_reason"]


async def test_an_expired_bluesky_session_is_refreshed_and_the_post_made_once_with_its_image(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes, tmp_path: Any
) -> None:
    await connect(db, registry, cipher, alice, "bluesky")
    share_id = await direct_share(db, alice, "bluesky", caption="Voir https://example.org et nous")
    fakes.bluesky.expire_all_access_tokens()  # the PDS says ExpiredToken although our expiry looks fine
    assert await publish(db, registry, cipher, share_id, Recorder()) == "published"
    assert fakes.bluesky.count("refreshSession") == 1 and len(fakes.bluesky.posts) == 1
    post = fakes.bluesky.posts[0]
    link = f"/l/code{share_id:08d}"
    facet = post["facets"][0]
    assert link in facet["features"][0]["uri"]
    assert (
        post["text"].encode()[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode().endswith(link)
    )


async def test_the_outbox_runs_the_publish_job_by_name(
    db: Database, registry: Registry, cipher: TokenCipher, alice: Someone, fakes: Fakes, net_settings: Any
) -> None:
    await connect(db, registry, cipher, alice, "x")
    share_id = await direct_share(db, alice, "x")
    async with db.transaction() as conn:
        row_id = await enqueue(conn, "shares.publish", {"share_id": share_id})
    assert row_id is not None
    ctx = {"db": db, "settings": net_settings, "registry": registry, "sleep": Recorder()}
    assert await run_row(db, row_id, outbox_handlers(), ctx, max_attempts=3) == "done"
    assert len(fakes.x.posts) == 1
