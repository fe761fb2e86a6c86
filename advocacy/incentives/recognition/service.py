"""Recognition periods: closing a month names its winners from the organisation board (same order), gives
their badges and notifications, once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from advocacy.core.errors import Conflict, Invalid
from advocacy.core.i18n import lazy_gettext
from advocacy.core.organisation import read_organisation
from advocacy.db.pool import Database
from advocacy.incentives.badges import service as badges
from advocacy.incentives.boards import service as boards
from advocacy.incentives.boards.scores import encode_score, seconds_since_epoch
from advocacy.incentives.lookups import service as lookups
from advocacy.incentives.recognition import queries
from advocacy.incentives.recognition.schemas import RecognitionRead, RecognitionWinner, StoredPeriod


def month_bounds(period: str) -> tuple[datetime, datetime]:
    try:
        year, month = (int(p) for p in period.split("-"))
        start = datetime(year, month, 1, tzinfo=UTC)
    except ValueError:
        raise Invalid(lazy_gettext("A recognition period is a month written like 2026-11")) from None
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def recognition_winner_count(org: dict[str, Any]) -> int:
    value = (org.get("incentives") or {}).get("recognition_winners", 3)
    return value if isinstance(value, int) and 1 <= value <= 100 else 3


async def close_period(db: Database, period: str, actor_id: int | None) -> RecognitionRead:
    """Winners from the month's organisation board (same order as the board), their badges and
    notifications; closing a period twice returns the first result and changes nothing. A month is closed
    once it is over: its winners are frozen at the close, so points earned later in it would never count."""
    start, end = month_bounds(period)
    if end > datetime.now(UTC):
        raise Conflict(
            lazy_gettext(
                "%(period)s is not over yet: it can be closed from %(end)s (UTC)",
                period=period,
                end=end.strftime("%Y-%m-%d %H:%M"),
            ),
            extra={"period": period, "closable_from": end.isoformat()},
        )
    async with db.transaction() as conn:
        existing = await queries.recognition_period(conn, period)
        if existing is not None:
            return await _recognition(conn, existing, actor_id, newly_closed=False)
        org = (await read_organisation(conn)).settings
        totals = await queries.month_totals(conn, start, end)
        ranked = sorted(
            totals,
            key=lambda r: (
                -encode_score(r.points, seconds_since_epoch(r.reached_at) if r.reached_at else -1),
                str(r.person_id),
            ),
        )
        winners_count = recognition_winner_count(org)
        winners: list[dict[str, Any]] = [
            {
                "person_id": r.person_id,
                "display_name": r.display_name,
                "rank": i + 1,
                "points": r.points,
            }
            for i, r in enumerate(ranked[:winners_count])
            if r.points > 0
        ]
        stored = await queries.insert_recognition_period(conn, period, winners, actor_id)
        if stored is None:  # closed by someone else a moment ago
            stored = await queries.recognition_period(conn, period)
            assert stored is not None
            return await _recognition(conn, stored, actor_id, newly_closed=False)
        at = datetime.now(UTC)
        grants = [(w["person_id"], "ambassador_of_the_month", period, at) for w in winners]
        grants += [(r.person_id, "top10_month", period, at) for r in ranked[:10] if r.points > 0]
        await badges.grant(conn, grants)
        return await _recognition(conn, stored, actor_id, newly_closed=True)


async def _recognition(
    conn: asyncpg.Connection, row: StoredPeriod, viewer_id: int | None, *, newly_closed: bool
) -> RecognitionRead:
    """A closed period as this reader may see it: each winner shown as their board visibility allows (the
    boards' rule: names_shown_to; a winner hidden from the reader is left out, ranks keep their numbers)."""
    winners = msgspec.convert(row.winners, list[RecognitionWinner])
    if viewer_id is not None:
        ids = await lookups.person_ids_by_public_ids(conn, [w.person_id for w in winners])
        names = await boards.names_shown_to(conn, viewer_id, list(ids.values()))
        winners = [
            msgspec.structs.replace(w, display_name=names[ids[w.person_id]])
            for w in winners
            if ids.get(w.person_id) in names
        ]
    return RecognitionRead(
        period=row.period, winners=winners, closed_at=row.closed_at, newly_closed=newly_closed
    )


async def recognition_periods(db: Database, viewer_id: int | None) -> list[RecognitionRead]:
    async with db.connection() as conn:
        rows = await queries.recognition_periods(conn)
        return [await _recognition(conn, r, viewer_id, newly_closed=False) for r in rows]
