"""Incentives decisions: awarding through the ledger and onto the boards, rules versions, kudos, the points
page and history, boards with visibility, badges and cards, anti-gaming flags, recognition periods."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from redis.asyncio import Redis

from advocacy.ambassadors.service import require_ambassador
from advocacy.audit.queries import write_audit
from advocacy.core.errors import Forbidden, Invalid, NotFound
from advocacy.core.i18n import translate
from advocacy.db.pool import Database
from advocacy.incentives import badges, cards, queries
from advocacy.incentives.boards import service as boards
from advocacy.incentives.ledger import HOLD_QUANTITY, award_batch, rules_in_force
from advocacy.incentives.lookups import queries as lookups
from advocacy.incentives.rules import (
    FLAG_REASONS,
    AntiGaming,
    anti_gaming_problems,
    gaming_signals,
    reason_text,
)
from advocacy.incentives.schemas import (
    BadgeRead,
    ClickSample,
    FlagRead,
    HistoryEntry,
    KudosCreate,
    LedgerEntry,
    NetworkExplanation,
    PointEvent,
    PointsSummary,
    RulesUpdate,
    RulesVersion,
    ShareClicks,
)

AWARD_JOB = "incentives.award"
REVERSE_SHARE_JOB = "incentives.reverse_share"
RELEASE_SHARE_JOB = "incentives.release_share"
REBUILD_JOB = "incentives.rebuild_boards"

KNOWN_NETWORKS = ("linkedin", "x", "facebook", "mastodon", "bluesky")


# --- the award path ----------------------------------------------------------------------------------


async def award_and_rank(
    conn: asyncpg.Connection, redis: Redis, namespace: str, events: list[PointEvent]
) -> list[LedgerEntry]:
    """Ledger rows, badges, then boards. Run inside the caller's transaction (an outbox job's): the board
    fold is keyed by the rows' idempotency keys, so a retry after a failed commit does not add twice."""
    await boards.hold_for_fold(conn)
    result = await award_batch(conn, events)
    if result.entries:
        await badges.check_after_award(conn, result.entries)
        await boards.fold(redis, namespace, result.entries, result.ranked)
    return result.entries


def events_from_args(args: dict[str, Any]) -> list[PointEvent]:
    """Outbox args {"events": [...]} (JSON: datetimes as ISO strings) into PointEvents."""
    try:
        return msgspec.convert(args.get("events", []), list[PointEvent], strict=False)
    except msgspec.ValidationError as exc:
        raise Invalid(f"Bad point events in job arguments: {exc}") from None


def events_to_args(events: list[PointEvent]) -> dict[str, Any]:
    return {"events": msgspec.to_builtins(events)}


async def reverse_share(
    conn: asyncpg.Connection, redis: Redis, namespace: str, share_id: int, reason: str | None
) -> list[LedgerEntry]:
    """Take back what a share earned (withdrawn, or compliance says it should not have gone out)."""
    people = await conn.fetch(
        "SELECT DISTINCT person_id FROM points_ledger WHERE source_type = 'share' AND source_id = $1",
        share_id,
    )
    now = datetime.now(UTC)
    events = [
        PointEvent(
            kind="reversal",
            person_id=r["person_id"],
            source_type="share",
            source_id=share_id,
            occurred_at=now,
            idempotency_key=f"reversal:share:{share_id}:{r['person_id']}",
            reason=reason,
        )
        for r in people
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


# --- rules, kudos, points page -----------------------------------------------------------------------


async def rules(db: Database) -> RulesVersion:
    async with db.connection() as conn:
        version, current = await rules_in_force(conn)
        stored = await queries.current_rules(conn)
    return stored or RulesVersion(version=version, rules=current, note="default rules", created_at=None)


async def rules_history(db: Database) -> list[RulesVersion]:
    async with db.connection() as conn:
        return await queries.rules_versions(conn)


async def set_rules(db: Database, body: RulesUpdate, actor_id: int) -> RulesVersion:
    async with db.transaction() as conn:
        version = await queries.insert_rules(conn, body.rules, body.note, actor_id)
        await conn.execute(
            "INSERT INTO audit_log (actor_id, action, subject_type, subject_id, detail)"
            " VALUES ($1, 'points_rules.changed', 'points_rules', $2, $3)",
            actor_id,
            str(version.version),
            {"note": body.note},
        )
    return version


async def kudos(db: Database, redis: Redis, namespace: str, body: KudosCreate, actor_id: int) -> LedgerEntry:
    """HR's kudos: never to oneself, within the person's daily cap (what is left of it today), audited."""
    async with db.transaction() as conn:
        person_id = await lookups.person_id_by_public_id(conn, body.person_id)
        if person_id is None:
            raise NotFound("No such person")
        if person_id == actor_id:
            raise Forbidden(
                "Nobody gives kudos to themself: ask someone else in HR", extra={"reason": "self"}
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
        # the ledger alone first: a kudos cut by the cap is refused (rolled back) before any board moves
        result = await award_batch(conn, [event])
        [entry] = result.entries
        if entry.points < body.points:
            raise Invalid(
                f"These kudos would pass the daily cap: {entry.points} point(s) are left today for this person",
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
        balance=int(account["balance"]) if account else 0,
        earned=int(account["earned"]) if account else 0,
        shares=int(account["shares"]) if account else 0,
        unique_clicks=int(account["unique_clicks"]) if account else 0,
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
        reason=reason_text(entry.reason_code, entry.note, language, **values),
        note=entry.note if entry.kind != "streak_bonus" else None,
        occurred_at=entry.occurred_at,
    )


async def history(
    db: Database, person_id: int, language: str, *, before_id: int | None, limit: int
) -> list[tuple[int, HistoryEntry]]:
    async with db.connection() as conn:
        rows = await queries.history_page(conn, person_id, before_id=before_id, limit=limit)
    return [(e.id, history_entry(e, language)) for e in rows]


# --- badges and cards --------------------------------------------------------------------------------


async def my_badges(db: Database, person_id: int, language: str) -> list[BadgeRead]:
    async with db.connection() as conn:
        rows = await queries.badges_of(conn, person_id)
    return [msgspec.structs.replace(b, name=badges.badge_name(code, language)) for b, code in rows]


async def badge_card(db: Database, person_id: int, award_id: UUID, language: str) -> bytes:
    async with db.connection() as conn:
        row = await queries.badge_award(conn, person_id, award_id)
        org = await lookups.organisation_settings(conn)
        org_name = await lookups.organisation_name(conn)
    if row is None:
        raise NotFound("No such badge of yours")
    colours = cards.colours_from_settings(org)
    period = row["period"] or row["awarded_at"].strftime("%Y-%m-%d")
    return await asyncio.to_thread(
        cards.render_card,
        display_name=row["display_name"],
        badge=badges.badge_name(row["badge"], language),
        period=period,
        organisation=org_name or "",
        colours=colours,
        language=language,
    )


# --- anti-gaming -------------------------------------------------------------------------------------


def anti_gaming_settings(org: dict[str, Any]) -> AntiGaming:
    raw = (org.get("incentives") or {}).get("anti_gaming") or {}
    try:
        return msgspec.convert(raw, AntiGaming)
    except msgspec.ValidationError:
        return AntiGaming()


async def anti_gaming(db: Database) -> AntiGaming:
    async with db.connection() as conn:
        return anti_gaming_settings(await lookups.organisation_settings(conn))


async def set_anti_gaming(db: Database, body: AntiGaming, actor_id: int) -> AntiGaming:
    problems = anti_gaming_problems(body)
    if problems:
        raise Invalid("; ".join(problems))
    async with db.transaction() as conn:
        await queries.save_anti_gaming(conn, msgspec.to_builtins(body))
        await conn.execute(
            "INSERT INTO audit_log (actor_id, action, subject_type, subject_id, detail)"
            " VALUES ($1, 'organisation.anti_gaming', 'organisation', '1', $2)",
            actor_id,
            msgspec.to_builtins(body),
        )
    return body


async def check_share_clicks(
    conn: asyncpg.Connection, share_id: int, person_id: int, samples: list[ClickSample]
) -> list[str]:
    """Flag the share (and so hold its click points) when its clicks look gamed; returns the reasons."""
    thresholds = anti_gaming_settings(await lookups.organisation_settings(conn))
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
    thresholds = anti_gaming_settings(await lookups.organisation_settings(conn))
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
                raise NotFound("No such flag")
            raise Invalid("This flag was already decided")
        if decided["person_id"] == actor_id:  # clearing one's own flag would pay oneself the held points
            raise Forbidden("Nobody decides a flag on their own share: ask someone else in HR")
        await write_audit(
            conn, actor_id=actor_id, action="points.flag_cleared" if clear else "points.flag_confirmed",
            subject_type="share_flag", subject_id=str(flag_id), detail={"note": note},
        )  # fmt: skip
        if clear:
            await enqueue(
                conn,
                RELEASE_SHARE_JOB,
                {"share_id": decided["share_id"]},
                dedupe_key=f"release:share:{decided['share_id']}",
            )
        flag = await queries.flag_by_public_id(conn, flag_id)
    assert flag is not None
    return flag


async def notifications(db: Database, person_id: int, language: str, limit: int) -> list[Any]:
    from advocacy.incentives.schemas import NotificationRead

    async with db.connection() as conn:
        rows = await queries.notifications_of(conn, person_id, limit)
    return [
        NotificationRead(
            id=r["id"],
            kind=r["kind"],
            subject=r["subject_fr"] if language == "fr" else r["subject_en"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
