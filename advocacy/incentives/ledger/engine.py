"""The points ledger's one way in: `award(conn, events)`, batched and idempotent by each event's key.

Under the lock of every involved person's account row, it drops events already written, refuses events of
people who are not ambassadors (reversals excepted), applies the rules (per network, campaign multiplier,
diminishing returns, click caps per share and per day, daily cap, held clicks of flagged shares), appends
the rows (ON CONFLICT DO NOTHING), keeps accounts and daily counters in step, then adds streak bonuses.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from advocacy.incentives.boards.scores import BOARD_KINDS, week_key
from advocacy.incentives.ledger import queries
from advocacy.incentives.ledger.schemas import AwardResult, ShareTotals
from advocacy.incentives.rules.policy import capped, share_factor, utc_day
from advocacy.incentives.rules.schemas import PointsRules
from advocacy.incentives.rules.service import rules_in_force
from advocacy.incentives.schemas import LedgerEntry, PointEvent

# Kudos count against the daily cap too: HR cannot put anyone past it (nor first on the boards in one go).
CAPPED_KINDS = frozenset({"share_published", "click", "engagement", "kudos"})
# Kinds written even for someone who is not an ambassador (now): taking back and spending.
ALWAYS_KINDS = frozenset({"reversal", "redemption", "refund"})
STREAK_LOOKBACK_WEEKS = 104
# A click event of no clicks holds what a share's clicks were paid before it was flagged: its row moves
# those points from `points` to `held_points` (kind 'click', so caps, boards and rebuilds count it as
# the click rows it corrects); the release after HR clears the flag pays them back.
HOLD_QUANTITY = 0


async def award(conn: asyncpg.Connection, events: list[PointEvent]) -> list[LedgerEntry]:
    """Write the ledger rows these events earn; returns the rows written now (none for a replay)."""
    return (await award_batch(conn, events)).entries


async def award_batch(conn: asyncpg.Connection, events: list[PointEvent]) -> AwardResult:
    if not events:
        return AwardResult(entries=[], ranked=frozenset())
    unique: dict[str, PointEvent] = {}
    for event in events:
        unique.setdefault(event.idempotency_key, event)
    batch = sorted(unique.values(), key=lambda e: (e.occurred_at, e.idempotency_key))
    people = await queries.people_for_award(conn, list({e.person_id for e in batch}))
    batch = [e for e in batch if e.person_id in people and (people[e.person_id][1] or e.kind in ALWAYS_KINDS)]
    if not batch:
        return AwardResult(entries=[], ranked=frozenset())
    async with conn.transaction():
        await queries.lock_accounts(conn, [e.person_id for e in batch])
        done = await queries.existing_keys(conn, [e.idempotency_key for e in batch])
        batch = [e for e in batch if e.idempotency_key not in done]
        if not batch:
            return AwardResult(entries=[], ranked=_ranked(people))
        version, rules = await rules_in_force(conn)
        entries = await _write(conn, batch, people, version, rules)
        streaks = _streak_events(entries, rules, await _weeks_for_streaks(conn, entries))
        if streaks:
            entries += await _write(conn, streaks, people, version, rules)
    return AwardResult(entries=entries, ranked=_ranked(people))


def _ranked(people: dict[int, tuple[int | None, bool]]) -> frozenset[int]:
    return frozenset(person for person, (_, active) in people.items() if active)


async def _write(
    conn: asyncpg.Connection,
    batch: list[PointEvent],
    people: dict[int, tuple[int | None, bool]],
    version: int,
    rules: PointsRules,
) -> list[LedgerEntry]:
    share_ids = [e.source_id for e in batch if e.source_type == "share" and e.source_id is not None]
    totals = await queries.share_totals(conn, share_ids) if share_ids else {}
    flagged = await queries.open_flagged_shares(conn, share_ids) if share_ids else set()
    multipliers = await queries.campaign_multipliers(
        conn, list({e.campaign_id for e in batch if e.campaign_id is not None})
    )
    pairs = sorted({(e.person_id, utc_day(e.occurred_at)) for e in batch if e.kind in CAPPED_KINDS})
    daily = await queries.lock_daily(conn, pairs) if pairs else {}
    click_used: dict[int, int] = {sid: t.click_points for sid, t in totals.items()}

    rows: list[tuple[Any, ...]] = []
    for event in batch:
        team_id = people[event.person_id][0]
        points, held, reason, note = _points_for(
            event, rules, daily, click_used, totals, flagged, multipliers.get(event.campaign_id or 0, 1.0)
        )
        if held == 0 and event.quantity == HOLD_QUANTITY and event.kind == "click":
            continue  # nothing was paid before the flag: no row (a replay finds nothing to hold either)
        multiplier = multipliers.get(event.campaign_id or 0, 1.0)
        multiplied = reason in _MULTIPLIED and event.quantity != HOLD_QUANTITY and multiplier != 1.0
        rows.append(
            (
                event.person_id,
                team_id,
                event.kind,
                points,
                held,
                event.quantity,
                event.network,
                event.campaign_id,
                event.source_type,
                event.source_id,
                version,
                reason,
                note,
                event.idempotency_key,
                event.occurred_at,
                multiplier if multiplied and (points or held) else None,
            )
        )
    entries = await queries.insert_entries(conn, rows)
    await _keep_counters(conn, entries, daily)
    return entries


# the reasons of points computed from a network's rule, which a campaign multiplier scales
_MULTIPLIED = frozenset(
    {"share_published", "share_diminished", "click", "click_cap_reached", "engagement", "daily_cap_reached",
     "held_for_review"}
)  # fmt: skip


def _points_for(
    event: PointEvent,
    rules: PointsRules,
    daily: dict[tuple[int, date], list[int]],
    click_used: dict[int, int],
    totals: dict[int, ShareTotals],
    flagged: set[int],
    multiplier: float,
) -> tuple[int, int, str, str | None]:
    """(points, held points, reason code, note) of one event; updates the in-memory counters."""
    kind = event.kind
    note = event.reason
    if kind == "kudos":
        counters = daily[(event.person_id, utc_day(event.occurred_at))]
        asked = int(event.points or 0)
        points = capped(asked, counters[0], rules.daily_cap)
        counters[0] += points
        return points, 0, "kudos" if points == asked else "daily_cap_reached", note
    if kind in ("challenge", "redemption", "refund"):
        named = {"challenge": "challenge_won"}.get(kind, kind)
        return int(event.points or 0), 0, named, note
    if kind == "streak_bonus":
        return rules.streak_bonus, 0, "streak_bonus", note
    if kind == "reversal":
        total = totals.get(event.source_id or 0)
        taken = -total.points if total is not None and not total.reversed else 0
        return taken, 0, "share_reversed" if note else "share_withdrawn", note
    if kind == "release":
        total = totals.get(event.source_id or 0)
        if total is None or total.reversed:
            return 0, 0, "released_after_review", note
        return total.held - total.released, 0, "released_after_review", note

    if kind == "click" and event.quantity == HOLD_QUANTITY:
        total = totals.get(event.source_id or 0)
        share = event.source_id or 0
        if total is None or total.reversed or share not in flagged:
            return 0, 0, "held_for_review", note
        paid = total.click_points - total.held
        return -paid, paid, "held_for_review", note

    network_rule = rules.for_network(event.network)
    counters = daily[(event.person_id, utc_day(event.occurred_at))]
    withdrawn = totals.get(event.source_id or 0) if event.source_type == "share" else None
    if withdrawn is not None and withdrawn.reversed:
        return 0, 0, "share_withdrawn", note
    if not network_rule.rewarded:
        if kind == "share_published":
            counters[1] += 1
        return 0, 0, "network_not_rewarded", note
    reason: str = kind
    if kind == "share_published":
        counters[1] += 1
        factor = share_factor(rules, counters[1])
        base = round(network_rule.share * factor * multiplier)
        if factor < 1:
            reason = "share_diminished"
    elif kind == "click":
        base = round(network_rule.click * event.quantity * multiplier)
        share = event.source_id or 0
        allowed = capped(base, click_used.get(share, 0), rules.click_cap_per_share)
        allowed = capped(allowed, counters[2], rules.click_cap_per_day)
        if allowed < base:
            reason = "click_cap_reached"
        base = allowed
    else:  # engagement
        base = round(network_rule.engagement * event.quantity * multiplier)
    points = capped(base, counters[0], rules.daily_cap)
    if points < base:
        reason = "daily_cap_reached"
    counters[0] += points
    if kind == "click":
        share = event.source_id or 0
        click_used[share] = click_used.get(share, 0) + points
        counters[2] += points
        if share in flagged and points > 0:
            return 0, points, "held_for_review", note
    return points, 0, reason, note


async def _keep_counters(
    conn: asyncpg.Connection, entries: list[LedgerEntry], daily: dict[tuple[int, date], list[int]]
) -> None:
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for entry in entries:
        delta = deltas[entry.person_id]
        delta[0] += entry.points
        if entry.kind in BOARD_KINDS:
            delta[1] += entry.points
        rewarded = entry.reason_code != "network_not_rewarded"
        if entry.kind == "share_published" and rewarded:
            delta[2] += 1
        elif entry.kind == "click" and rewarded:
            delta[3] += entry.quantity
    await queries.add_to_accounts(conn, {p: (d[0], d[1], d[2], d[3]) for p, d in deltas.items()})
    written = {(e.person_id, utc_day(e.occurred_at)) for e in entries if e.kind in CAPPED_KINDS}
    await queries.set_daily(conn, {k: v for k, v in daily.items() if k in written})


def _latest_rewarded_shares(entries: list[LedgerEntry]) -> dict[int, datetime]:
    latest: dict[int, datetime] = {}
    for entry in entries:
        rewarded_share = entry.kind == "share_published" and entry.reason_code != "network_not_rewarded"
        if rewarded_share and (entry.person_id not in latest or entry.occurred_at > latest[entry.person_id]):
            latest[entry.person_id] = entry.occurred_at
    return latest


async def _weeks_for_streaks(conn: asyncpg.Connection, entries: list[LedgerEntry]) -> dict[int, set[str]]:
    latest = _latest_rewarded_shares(entries)
    if not latest:
        return {}
    since = min(latest.values()) - timedelta(weeks=STREAK_LOOKBACK_WEEKS)
    return await queries.share_weeks(conn, list(latest), since)


def _streak_events(
    entries: list[LedgerEntry], rules: PointsRules, weeks: dict[int, set[str]]
) -> list[PointEvent]:
    """A bonus each time a person's run of consecutive ISO weeks with a rewarded share reaches a multiple
    of the rules' streak length (keyed by person and week, so it is paid once)."""
    weeks_needed = rules.streak_weeks
    events: list[PointEvent] = []
    for person, at in _latest_rewarded_shares(entries).items():
        run = 0
        cursor = at
        shared = weeks.get(person, set())
        while week_key(cursor) in shared and run < STREAK_LOOKBACK_WEEKS:
            run += 1
            cursor -= timedelta(weeks=1)
        if run >= weeks_needed and run % weeks_needed == 0:
            events.append(
                PointEvent(
                    kind="streak_bonus",
                    person_id=person,
                    source_type="streak",
                    occurred_at=at,
                    idempotency_key=f"streak:{person}:{week_key(at)}",
                    reason=str(run),
                )
            )
    return events
