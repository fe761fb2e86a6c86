"""Anti-gaming: the thresholds (organisation settings, audited), flagging shares whose clicks look gamed
(which holds their click points), and HR's decision on a flag (a clear releases the held points)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.audit.service import write_audit
from advocacy.core.errors import Forbidden, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext, translate
from advocacy.core.organisation import read_organisation
from advocacy.db.pool import Database
from advocacy.incentives.anti_gaming import queries
from advocacy.incentives.anti_gaming.detector import FLAG_REASONS, anti_gaming_problems, gaming_signals
from advocacy.incentives.anti_gaming.schemas import AntiGaming, ClickSample, FlagRead, ShareClicks
from advocacy.incentives.ledger.service import HOLD_QUANTITY, RELEASE_SHARE_JOB
from advocacy.incentives.schemas import PointEvent


def anti_gaming_settings(org: dict[str, Any]) -> AntiGaming:
    raw = (org.get("incentives") or {}).get("anti_gaming") or {}
    try:
        return msgspec.convert(raw, AntiGaming)
    except msgspec.ValidationError:
        return AntiGaming()


async def anti_gaming(db: Database) -> AntiGaming:
    async with db.connection() as conn:
        return anti_gaming_settings((await read_organisation(conn)).settings)


async def set_anti_gaming(db: Database, body: AntiGaming, actor_id: int) -> AntiGaming:
    problems = anti_gaming_problems(body)
    if problems:
        raise Invalid("; ".join(problems))
    async with db.transaction() as conn:
        await queries.save_anti_gaming(conn, msgspec.to_builtins(body))
        await write_audit(
            conn,
            actor_id=actor_id,
            action="organisation.anti_gaming",
            subject_type="organisation",
            subject_id="1",
            detail=msgspec.to_builtins(body),
        )
    return body


async def check_share_clicks(
    conn: asyncpg.Connection, share_id: int, person_id: int, samples: list[ClickSample]
) -> list[str]:
    """Flag the share (and so hold its click points) when its clicks look gamed; returns the reasons."""
    thresholds = anti_gaming_settings((await read_organisation(conn)).settings)
    reasons, stats = gaming_signals(samples, thresholds)
    if reasons:
        await queries.insert_flag(conn, share_id, person_id, reasons, stats)
    return reasons


async def shares_to_check(conn: asyncpg.Connection, share_ids: list[int]) -> list[int]:
    """The shares of these the anti-gaming check should look at: those never flagged (a share is flagged
    once; HR's decision on it stands)."""
    if not share_ids:
        return []
    flagged = await queries.flagged_among(conn, share_ids)
    return sorted(set(share_ids) - flagged)


async def flag_gamed_shares(conn: asyncpg.Connection, shares: list[ShareClicks]) -> list[PointEvent]:
    """Flag each share whose clicks look gamed, in the caller's transaction (the settle job's, before it
    enqueues the clicks' points, so the award holds them). Returns, for each share flagged now, the event
    that also holds the click points it was paid before (keyed by the share: written once)."""
    if not shares:
        return []
    thresholds = anti_gaming_settings((await read_organisation(conn)).settings)
    if not thresholds.enabled:
        return []
    now = datetime.now(UTC)
    holds: list[PointEvent] = []
    for share in shares:
        reasons, stats = gaming_signals(share.samples, thresholds)
        if reasons and await queries.insert_flag(conn, share.share_id, share.person_id, reasons, stats):
            holds.append(
                PointEvent(
                    kind="click",
                    person_id=share.person_id,
                    network=share.network,
                    campaign_id=share.campaign_id,
                    source_type="share",
                    source_id=share.share_id,
                    quantity=HOLD_QUANTITY,
                    occurred_at=now,
                    idempotency_key=f"hold:share:{share.share_id}",
                )
            )
    return holds


async def flags(
    db: Database, *, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, FlagRead]]:
    async with db.connection() as conn:
        return await queries.flags_page(conn, status=status, after_id=after_id, limit=limit)


def flag_reason_text(code: str, language: str) -> str:
    message = FLAG_REASONS.get(code)
    return code if message is None else translate(message, language)


async def decide_flag(
    db: Database, flag_id: UUID, *, clear: bool, actor_id: int, note: str | None
) -> FlagRead:
    from advocacy.outbox.service import enqueue

    async with db.transaction() as conn:
        decided = await queries.decide_flag(
            conn, flag_id, "cleared" if clear else "confirmed", actor_id, note
        )
        if decided is None:
            if await queries.flag_by_public_id(conn, flag_id) is None:
                raise NotFound(lazy_gettext("No such flag"))
            raise Invalid(lazy_gettext("This flag was already decided"))
        if decided.person_id == actor_id:  # clearing one's own flag would pay oneself the held points
            raise Forbidden(lazy_gettext("Nobody decides a flag on their own share: ask someone else in HR"))
        await write_audit(
            conn, actor_id=actor_id, action="points.flag_cleared" if clear else "points.flag_confirmed",
            subject_type="share_flag", subject_id=str(flag_id), detail={"note": note},
        )  # fmt: skip
        if clear:
            await enqueue(
                conn,
                RELEASE_SHARE_JOB,
                {"share_id": decided.share_id},
                dedupe_key=f"release:share:{decided.share_id}",
            )
        flag = await queries.flag_by_public_id(conn, flag_id)
    assert flag is not None
    return flag
