"""Ledger decisions: awarding (ledger rows, then badges, then boards, in the caller's transaction), the
outbox jobs' arguments, reversing and releasing a share's points, kudos, the points page and history, and
what a redemption writes to the ledger."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
from redis.asyncio import Redis

from advocacy.ambassadors.service import require_ambassador
from advocacy.audit.service import write_audit
from advocacy.core.errors import Forbidden, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.incentives.badges import service as badges
from advocacy.incentives.boards import service as boards
from advocacy.incentives.ledger import engine, queries
from advocacy.incentives.ledger.schemas import (
    Account,
    HistoryEntry,
    KudosCreate,
    NetworkExplanation,
    PointsSummary,
)
from advocacy.incentives.lookups import service as lookups
from advocacy.incentives.rules.policy import reason_text
from advocacy.incentives.rules.service import rules_in_force
from advocacy.incentives.schemas import LedgerEntry, PointEvent

AWARD_JOB = "incentives.award"
REVERSE_SHARE_JOB = "incentives.reverse_share"
RELEASE_SHARE_JOB = "incentives.release_share"

KNOWN_NETWORKS = ("linkedin", "x", "facebook", "mastodon", "bluesky")
# A click event of no clicks holds what a share's clicks were paid before it was flagged (see engine.py).
HOLD_QUANTITY = engine.HOLD_QUANTITY


# --- the award path ----------------------------------------------------------------------------------


async def award(conn: asyncpg.Connection, events: list[PointEvent]) -> list[LedgerEntry]:
    """Write the ledger rows these events earn; returns the rows written now (none for a replay). Boards
    and badges are left alone: award_and_rank does all three."""
    return await engine.award(conn, events)


async def award_and_rank(
    conn: asyncpg.Connection, redis: Redis, namespace: str, events: list[PointEvent]
) -> list[LedgerEntry]:
    """Ledger rows, badges, then boards. Run inside the caller's transaction (an outbox job's): the board
    fold is keyed by the rows' idempotency keys, so a retry after a failed commit does not add twice."""
    await boards.hold_for_fold(conn)
    result = await engine.award_batch(conn, events)
    if result.entries:
        await badges.check_after_award(conn, result.entries)
        await boards.fold(redis, namespace, result.entries, result.ranked)
    return result.entries


def events_from_args(args: dict[str, Any]) -> list[PointEvent]:
    """Outbox args {"events": [...]} (JSON: datetimes as ISO strings) into PointEvents."""
    try:
        return msgspec.convert(args.get("events", []), list[PointEvent], strict=False)
    except msgspec.ValidationError as exc:
        raise Invalid(lazy_gettext("Bad point events in job arguments: %(exc)s", exc=exc)) from None


def events_to_args(events: list[PointEvent]) -> dict[str, Any]:
    return {"events": msgspec.to_builtins(events)}


async def reverse_share(
    conn: asyncpg.Connection, redis: Redis, namespace: str, share_id: int, reason: str | None
) -> list[LedgerEntry]:
    """Take back what a share earned (withdrawn, or compliance says it should not have gone out)."""
    people = await queries.people_of_share(conn, share_id)
    now = datetime.now(UTC)
    events = [
        PointEvent(
            kind="reversal",
            person_id=person_id,
            source_type="share",
            source_id=share_id,
            occurred_at=now,
            idempotency_key=f"reversal:share:{share_id}:{person_id}",
            reason=reason,
        )
        for person_id in people
    ]
    return await award_and_rank(conn, redis, namespace, events)


async def release_share(
    conn: asyncpg.Connection, redis: Redis, namespace: str, share_id: int
) -> list[LedgerEntry]:
    """Pay the click points held while a share was flagged, once HR cleared it."""
    held = await queries.held_entries_of_share(conn, share_id)
    if not held:
        return []
    first = held[0]
    event = PointEvent(
        kind="release",
        person_id=first.person_id,
        network=first.network,
        campaign_id=first.campaign_id,
        source_type="share",
        source_id=share_id,
        occurred_at=datetime.now(UTC),
        idempotency_key=f"release:share:{share_id}",
    )
    return await award_and_rank(conn, redis, namespace, [event])


# --- kudos, the points page, history -----------------------------------------------------------------


async def kudos(db: Database, redis: Redis, namespace: str, body: KudosCreate, actor_id: int) -> LedgerEntry:
    """HR's kudos: never to oneself, within the person's daily cap (what is left of it today), audited."""
    async with db.transaction() as conn:
        person_id = await lookups.person_id_by_public_id(conn, body.person_id)
        if person_id is None:
            raise NotFound(lazy_gettext("No such person"))
        if person_id == actor_id:
            raise Forbidden(
                lazy_gettext("Nobody gives kudos to themself: ask someone else in HR"),
                extra={"reason": "self"},
            )
        await require_ambassador(conn, person_id)
        event = PointEvent(
            kind="kudos",
            person_id=person_id,
            source_type="kudos",
            source_id=actor_id,
            occurred_at=datetime.now(UTC),
            idempotency_key=f"kudos:{secrets.token_urlsafe(12)}",
            reason=body.reason,
            points=body.points,
        )
        # the ledger alone first: kudos cut by the cap are refused (rolled back) before any board moves
        await boards.hold_for_fold(conn)
        result = await engine.award_batch(conn, [event])
        [entry] = result.entries
        if entry.points < body.points:
            raise Invalid(
                lazy_gettext(
                    "These kudos would pass the daily cap: %(points)s point(s) are left today for this person",
                    points=entry.points,
                ),
                extra={"reason": "daily-cap", "left_today": entry.points},
            )
        await badges.check_after_award(conn, result.entries)
        await boards.fold(redis, namespace, result.entries, result.ranked)
        await write_audit(
            conn, actor_id=actor_id, action="points.kudos", subject_type="person", subject_id=str(body.person_id),
            detail={"points": body.points, "reason": body.reason, "ledger_entry": entry.id},
        )  # fmt: skip
    return entry


async def summary(db: Database, person_id: int, language: str) -> PointsSummary:
    async with db.connection() as conn:
        version, current = await rules_in_force(conn)
        account = (await queries.accounts_of(conn, [person_id])).get(person_id)
    networks = sorted({*KNOWN_NETWORKS, *current.networks})
    explained = []
    for network in networks:
        rule = current.for_network(network)
        why = None
        if not rule.rewarded and rule.why_not is not None:
            why = rule.why_not.fr if language == "fr" else rule.why_not.en
        explained.append(
            NetworkExplanation(
                network=network,
                share=rule.share if rule.rewarded else 0,
                click=rule.click if rule.rewarded else 0,
                engagement=rule.engagement if rule.rewarded else 0,
                rewarded=rule.rewarded,
                why_not=why,
            )
        )
    return PointsSummary(
        balance=account.balance if account else 0,
        earned=account.earned if account else 0,
        shares=account.shares if account else 0,
        unique_clicks=account.unique_clicks if account else 0,
        rules_version=version,
        daily_cap=current.daily_cap,
        networks=explained,
    )


def history_entry(entry: LedgerEntry, language: str) -> HistoryEntry:
    values: dict[str, object] = {}
    if entry.kind == "streak_bonus":
        values["weeks"] = entry.note or ""
    return HistoryEntry(
        kind=entry.kind,
        points=entry.points,
        held_points=entry.held_points,
        network=entry.network,
        reason_code=entry.reason_code,
        reason=reason_text(entry.reason_code, entry.note, language, multiplier=entry.multiplier, **values),
        note=entry.note if entry.kind != "streak_bonus" else None,
        occurred_at=entry.occurred_at,
        campaign_multiplier=entry.multiplier,
    )


async def history(
    db: Database, person_id: int, language: str, *, before_id: int | None, limit: int
) -> list[tuple[int, HistoryEntry]]:
    async with db.connection() as conn:
        rows = await queries.history_page(conn, person_id, before_id=before_id, limit=limit)
    return [(e.id, history_entry(e, language)) for e in rows]


# --- what other subjects read or write ---------------------------------------------------------------


async def accounts(conn: asyncpg.Connection, person_ids: list[int]) -> dict[int, Account]:
    """The running totals (balance, earned, shares, unique clicks) of these people."""
    return await queries.accounts_of(conn, person_ids)


async def last_entry_id(conn: asyncpg.Connection, person_id: int) -> int:
    """The id of the person's last ledger row (0 if none): the high-water mark an opt-in notes, so that a
    restore after it folds exactly the rows written before."""
    return await queries.last_entry_id_of(conn, person_id)


async def lock_balance(conn: asyncpg.Connection, person_id: int) -> int:
    """The person's balance, with their account row locked until the transaction ends."""
    return await queries.lock_account(conn, person_id)


async def write_redemption_points(
    conn: asyncpg.Connection,
    person_id: int,
    kind: str,
    points: int,
    redemption_id: int,
    note: str,
    at: datetime,
) -> list[LedgerEntry]:
    """A redemption's spend (negative) or refund row, keyed by the redemption so it is written once; the
    balance follows. The caller holds the account's lock (lock_balance)."""
    entries = await queries.insert_entries(
        conn,
        [
            (
                person_id,
                None,
                kind,
                points,
                0,
                1,
                None,
                None,
                "redemption",
                redemption_id,
                None,
                kind,
                note,
                f"{kind}:{redemption_id}",
                at,
                None,
            )
        ],
    )
    if entries:
        await queries.add_balance(conn, person_id, points)
    return entries
