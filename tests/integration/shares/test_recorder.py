"""Group commit: concurrent clicks share commits, and each is durable when its record() returns: in
PostgreSQL, or in the local spool when PostgreSQL cannot take it, drained into PostgreSQL exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

from advocacy.db.pool import Database
from advocacy.links import queries as link_queries
from advocacy.links.recorder import ClickRecorder
from advocacy.links.schemas import Click
from advocacy.links.spool import ClickSpool
from advocacy.settings import Settings
from tests.integration.shares.conftest import Sharing


async def test_concurrent_clicks_are_written_in_few_commits_and_each_is_durable_when_answered(
    sharing: Sharing, db: Database, tmp_path: Path
) -> None:
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador)
    share_id = await sharing.fetchval("SELECT id FROM shares")
    recorder = ClickRecorder(db, ClickSpool(tmp_path))
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


def _click(share_id: int) -> Click:
    return Click(
        share_id=share_id, at=datetime.now(UTC), visitor_hash=b"v" * 16, visitor_hash_prev=b"w" * 16,
        counted=None, self=False, bot=False, preview=False,
    )  # fmt: skip


async def test_clicks_postgresql_cannot_take_are_spooled_before_the_answer_and_drained_once(
    sharing: Sharing, db: Database, settings: Settings, tmp_path: Path
) -> None:
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador)
    share_id = await sharing.fetchval("SELECT id FROM shares")
    spool = ClickSpool(tmp_path / "spool")
    broken = await Database.connect(settings.database_url, min_size=1, max_size=1)
    down = ClickRecorder(broken, spool)
    down.start()
    try:
        await broken.close()  # PostgreSQL unreachable for this process
        answered = await asyncio.gather(*(down.record(_click(share_id)) for _ in range(30)))
    finally:
        await down.stop()
    assert all(answered) and down.spooled == 30 and down.lost == 0
    assert spool.pending() and await sharing.fetchval("SELECT count(*) FROM clicks") == 0

    back = ClickRecorder(db, spool)  # PostgreSQL answers again (here: another process sharing the folder)
    assert await back.drain() == 30
    assert await back.drain() == 0
    assert spool.pending() == []
    assert await sharing.fetchval("SELECT count(*) FROM clicks") == 30


async def test_a_spooled_batch_whose_insert_did_reach_postgresql_is_not_written_twice(
    sharing: Sharing, db: Database, tmp_path: Path
) -> None:
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador)
    share_id = await sharing.fetchval("SELECT id FROM shares")
    batch_id, clicks = uuid.uuid4(), [_click(share_id), _click(share_id)]
    async with db.connection() as conn:  # committed, but the answer never came back: spooled as well
        await link_queries.insert_clicks(conn, batch_id, clicks)
    spool = ClickSpool(tmp_path)
    spool.write(batch_id, clicks)
    assert await ClickRecorder(db, spool).drain() == 0
    assert spool.pending() == []
    assert await sharing.fetchval("SELECT count(*) FROM clicks") == 2


async def test_a_click_neither_written_nor_spooled_is_reported_not_hidden(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    broken = await Database.connect(settings.database_url, min_size=1, max_size=1)
    recorder = ClickRecorder(broken, ClickSpool(tmp_path / "not-a-folder"))
    recorder.start()
    try:
        await broken.close()
        assert await recorder.record(_click(1)) is False
        assert recorder.lost == 1
    finally:
        await recorder.stop()
