"""Group commit: concurrent clicks share commits, and each is durable when its record() returns."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from advocacy.db.pool import Database
from advocacy.links.recorder import ClickRecorder
from advocacy.links.schemas import Click
from advocacy.settings import Settings
from tests.integration.shares.conftest import Sharing


async def test_concurrent_clicks_are_written_in_few_commits_and_each_is_durable_when_answered(
    sharing: Sharing, db: Database
) -> None:
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador)
    share_id = await sharing.fetchval("SELECT id FROM shares")
    recorder = ClickRecorder(db)
    recorder.start()
    try:
        click = Click(
            share_id=share_id, at=datetime.now(UTC), visitor_hash=b"v" * 16, visitor_hash_prev=b"w" * 16,
            counted=None, self=False, bot=False, preview=False,
        )  # fmt: skip

        async def one() -> int:
            assert await recorder.record(click)
            # the moment record() returns, the row is visible to another connection
            count: int = await sharing.fetchval("SELECT count(*) FROM clicks")
            return count

        seen = await asyncio.gather(*(one() for _ in range(200)))
    finally:
        await recorder.stop()
    assert min(seen) >= 1
    assert await sharing.fetchval("SELECT count(*) FROM clicks") == 200
    assert recorder.written == 200 and recorder.batches < 200


async def test_a_click_that_cannot_be_written_is_reported_not_hidden(settings: Settings) -> None:
    broken = await Database.connect(settings.database_url, min_size=1, max_size=1)
    recorder = ClickRecorder(broken)
    recorder.start()
    try:
        await broken.close()
        click = Click(
            share_id=1, at=datetime.now(UTC), visitor_hash=b"v" * 16, visitor_hash_prev=b"w" * 16, counted=None,
            self=False, bot=False, preview=False,
        )  # fmt: skip
        assert await recorder.record(click) is False
        assert recorder.lost == 1
    finally:
        await recorder.stop()
