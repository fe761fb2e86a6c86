"""SQL for incentives: rules versions, the ledger and the rows that serialise it, boards from the ledger,
badges, flags, recognition, challenges, rewards and redemptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.incentives.schemas import (
    BadgeRead,
    FlagRead,
    LedgerEntry,
    PointsRules,
    RulesVersion,
)

# --- rules -------------------------------------------------------------------------------------------


async def current_rules(conn: asyncpg.Connection) -> RulesVersion | None:
    row = await conn.fetchrow(
        "SELECT version, rules, note, created_at FROM points_rules ORDER BY version DESC LIMIT 1"
    )
    return msgspec.convert(row, RulesVersion) if row else None


async def rules_versions(conn: asyncpg.Connection) -> list[RulesVersion]:
    rows = await conn.fetch("SELECT version, rules, note, created_at FROM points_rules ORDER BY version DESC")
    return [msgspec.convert(r, RulesVersion) for r in rows]


async def insert_rules(
    conn: asyncpg.Connection, rules: PointsRules, note: str | None, actor_id: int | None
) -> RulesVersion:
    # the advisory lock makes two HR edits at once take consecutive versions instead of colliding
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('points_rules'))")
    row = await conn.fetchrow(
        "INSERT INTO points_rules (version, rules, note, created_by)"
        " SELECT COALESCE(max(version), 0) + 1, $1, $2, $3 FROM points_rules"
        " RETURNING version, rules, note, created_at",
        msgspec.to_builtins(rules),
        note,
        actor_id,
    )
    return msgspec.convert(row, RulesVersion)


# --- what an award reads and locks -------------------------------------------------------------------


async def people_for_award(
    conn: asyncpg.Connection, person_ids: Sequence[int]
) -> dict[int, tuple[int | None, bool]]:
    """person id -> (team id, may earn points now: opted in and consent not expired)."""
    rows = await conn.fetch(
        "SELECT p.id, p.team_id,"
        " COALESCE(a.status = 'opted_in' AND (a.expires_at IS NULL OR a.expires_at > now()), false) AS active"
        " FROM people p LEFT JOIN ambassadors a ON a.person_id = p.id WHERE p.id = ANY($1::bigint[])",
        list(person_ids),
    )
    return {r["id"]: (r["team_id"], r["active"]) for r in rows}


async def lock_accounts(conn: asyncpg.Connection, person_ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    """Create missing account rows and lock them all, in id order (so two writers never deadlock)."""
    ids = sorted(set(person_ids))
    await conn.execute(
        "INSERT INTO points_accounts (person_id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING", ids
    )
    rows = await conn.fetch(
        "SELECT person_id, balance, earned, shares, unique_clicks FROM points_accounts"
        " WHERE person_id = ANY($1::bigint[]) ORDER BY person_id FOR UPDATE",
        ids,
    )
    return {r["person_id"]: r for r in rows}


async def lock_daily(
    conn: asyncpg.Connection, pairs: Sequence[tuple[int, date]]
) -> dict[tuple[int, date], list[int]]:
    """(person, day) -> [points, shares, click_points], creating and locking the rows."""
    people = [p for p, _ in pairs]
    days = [d for _, d in pairs]
    await conn.execute(
        "INSERT INTO points_daily (person_id, day) SELECT * FROM unnest($1::bigint[], $2::date[])"
        " ON CONFLICT DO NOTHING",
        people,
        days,
    )
    rows = await conn.fetch(
        "SELECT d.person_id, d.day, d.points, d.shares, d.click_points FROM points_daily d"
        " JOIN unnest($1::bigint[], $2::date[]) AS k(person_id, day) USING (person_id, day)"
        " ORDER BY d.person_id, d.day FOR UPDATE OF d",
        people,
        days,
    )
    return {(r["person_id"], r["day"]): [r["points"], r["shares"], r["click_points"]] for r in rows}


async def existing_keys(conn: asyncpg.Connection, keys: Sequence[str]) -> set[str]:
    rows = await conn.fetch(
        "SELECT idempotency_key FROM points_ledger WHERE idempotency_key = ANY($1::text[])", list(keys)
    )
    return {r["idempotency_key"] for r in rows}


async def share_totals(conn: asyncpg.Connection, share_ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    """Per share: points written (reversals aside), click points used (incl. held), held, released, reversed.

    A join on the ids, not `= ANY`: with a generic plan and stale statistics PostgreSQL would scan every
    share row of the ledger and test each against the whole array."""
    rows = await conn.fetch(
        """
        SELECT source_id,
               COALESCE(sum(points) FILTER (WHERE kind <> 'reversal'), 0) AS points,
               COALESCE(sum(points + held_points) FILTER (WHERE kind = 'click'), 0) AS click_points,
               COALESCE(sum(held_points), 0) AS held,
               COALESCE(sum(points) FILTER (WHERE kind = 'release'), 0) AS released,
               bool_or(kind = 'reversal') AS reversed
        FROM unnest($1::bigint[]) AS s(id)
        JOIN points_ledger ON source_type = 'share' AND source_id = s.id
        GROUP BY source_id
        """,
        list(set(share_ids)),
    )
    return {r["source_id"]: r for r in rows}


async def open_flagged_shares(conn: asyncpg.Connection, share_ids: Sequence[int]) -> set[int]:
    rows = await conn.fetch(
        "SELECT share_id FROM share_flags WHERE status IN ('open', 'confirmed') AND share_id = ANY($1::bigint[])",
        list(share_ids),
    )
    return {r["share_id"] for r in rows}


async def campaign_multipliers(conn: asyncpg.Connection, campaign_ids: Sequence[int]) -> dict[int, float]:
    """campaigns.points_multiplier (the content library's table); 1 for a campaign that is not there."""
    if not campaign_ids:
        return {}
    rows = await conn.fetch(
        "SELECT id, points_multiplier FROM campaigns WHERE id = ANY($1::bigint[])", list(campaign_ids)
    )
    return {r["id"]: float(r["points_multiplier"] or 1) for r in rows}


ENTRY_COLUMNS = (
    "id, person_id, team_id, kind, points, held_points, quantity, network, campaign_id, source_type,"
    " source_id, rule_version, reason_code, note, idempotency_key, occurred_at"
)


async def insert_entries(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> list[LedgerEntry]:
    """Append rows (ON CONFLICT DO NOTHING on the idempotency key); returns only those written now."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    records = await conn.fetch(
        "INSERT INTO points_ledger (person_id, team_id, kind, points, held_points, quantity, network,"
        " campaign_id, source_type, source_id, rule_version, reason_code, note, idempotency_key, occurred_at)"
        " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[],"
        " $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::int[], $12::text[], $13::text[],"
        " $14::text[], $15::timestamptz[])"
        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
        *[list(c) for c in columns],
    )
    # the rows are ours: only their ids come back (converting every returned row cost more than the insert)
    ids: dict[str, int] = {r[1]: r[0] for r in records}
    entries: list[LedgerEntry] = []
    for row in rows:
        entry_id = ids.pop(row[13], None)
        if entry_id is None:  # written before, or a repeat of a key in these rows
            continue
        entries.append(
            LedgerEntry(
                id=entry_id,
                person_id=row[0],
                team_id=row[1],
                kind=row[2],
                points=row[3],
                held_points=row[4],
                quantity=row[5],
                network=row[6],
                campaign_id=row[7],
                source_type=row[8],
                source_id=row[9],
                rule_version=row[10],
                reason_code=row[11],
                note=row[12],
                idempotency_key=row[13],
                occurred_at=row[14],
            )
        )
    return entries


async def add_to_accounts(conn: asyncpg.Connection, deltas: dict[int, tuple[int, int, int, int]]) -> None:
    """person -> (balance, earned, shares, unique clicks) to add."""
    if not deltas:
        return
    ids = list(deltas)
    parts = list(zip(*deltas.values(), strict=True))
    await conn.execute(
        "UPDATE points_accounts a SET balance = a.balance + d.b, earned = a.earned + d.e,"
        " shares = a.shares + d.s, unique_clicks = a.unique_clicks + d.c, updated_at = now()"
        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::bigint[]) AS d(id, b, e, s, c)"
        " WHERE a.person_id = d.id",
        ids,
        *[list(p) for p in parts],
    )


async def set_daily(conn: asyncpg.Connection, values: dict[tuple[int, date], list[int]]) -> None:
    if not values:
        return
    keys = list(values)
    await conn.execute(
        "UPDATE points_daily d SET points = v.p, shares = v.s, click_points = v.c"
        " FROM unnest($1::bigint[], $2::date[], $3::int[], $4::int[], $5::int[]) AS v(person_id, day, p, s, c)"
        " WHERE d.person_id = v.person_id AND d.day = v.day",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [values[k][0] for k in keys],
        [values[k][1] for k in keys],
        [values[k][2] for k in keys],
    )


async def share_weeks(
    conn: asyncpg.Connection, person_ids: Sequence[int], since: datetime
) -> dict[int, set[str]]:
    """ISO weeks (IYYY-"W"IW) in which each person had a rewarded published share since `since`."""
    rows = await conn.fetch(
        "SELECT DISTINCT person_id, to_char(occurred_at AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') AS week"
        " FROM points_ledger WHERE kind = 'share_published' AND reason_code <> 'network_not_rewarded'"
        " AND person_id = ANY($1::bigint[]) AND occurred_at >= $2",
        list(person_ids),
        since,
    )
    weeks: dict[int, set[str]] = {}
    for r in rows:
        weeks.setdefault(r["person_id"], set()).add(r["week"])
    return weeks


async def accounts_of(conn: asyncpg.Connection, person_ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT person_id, balance, earned, shares, unique_clicks FROM points_accounts"
        " WHERE person_id = ANY($1::bigint[])",
        list(person_ids),
    )
    return {r["person_id"]: r for r in rows}


# --- history, balance --------------------------------------------------------------------------------


async def history_page(
    conn: asyncpg.Connection, person_id: int, *, before_id: int | None, limit: int
) -> list[LedgerEntry]:
    rows = await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM points_ledger WHERE person_id = $1"
        " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        person_id,
        before_id,
        limit,
    )
    return [msgspec.convert(r, LedgerEntry) for r in rows]


async def ledger_balance(conn: asyncpg.Connection, person_id: int) -> int:
    value: int = await conn.fetchval(
        "SELECT COALESCE(sum(points), 0) FROM points_ledger WHERE person_id = $1", person_id
    )
    return value


# --- boards from the ledger --------------------------------------------------------------------------


async def save_anti_gaming(conn: asyncpg.Connection, value: dict[str, Any]) -> None:
    """Replace `incentives.anti_gaming`, keeping the other `incentives` settings (colours, winners)."""
    await conn.execute(
        "INSERT INTO organisation (id, name, settings)"
        " VALUES (1, 'Organisation', jsonb_build_object('incentives', jsonb_build_object('anti_gaming', $1::jsonb)))"
        " ON CONFLICT (id) DO UPDATE SET settings = organisation.settings || jsonb_build_object('incentives',"
        " COALESCE(organisation.settings -> 'incentives', '{}'::jsonb) || jsonb_build_object('anti_gaming', $1::jsonb)),"
        " updated_at = now()",
        value,
    )


# --- badges and notifications ------------------------------------------------------------------------


async def insert_badges(
    conn: asyncpg.Connection, awards: Sequence[tuple[int, str, str, datetime]]
) -> list[asyncpg.Record]:
    """(person, badge, period, at); each badge once per person and period. Returns the new ones."""
    if not awards:
        return []
    rows: list[asyncpg.Record] = await conn.fetch(
        "INSERT INTO badge_awards (person_id, badge, period, awarded_at)"
        " SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])"
        " ON CONFLICT DO NOTHING RETURNING id, person_id, badge, period",
        [a[0] for a in awards],
        [a[1] for a in awards],
        [a[2] for a in awards],
        [a[3] for a in awards],
    )
    return rows


async def badges_of(conn: asyncpg.Connection, person_id: int) -> list[tuple[BadgeRead, str]]:
    rows = await conn.fetch(
        "SELECT public_id AS id, badge, period, awarded_at FROM badge_awards WHERE person_id = $1"
        " ORDER BY awarded_at, id",
        person_id,
    )
    return [(msgspec.convert({**dict(r), "name": r["badge"]}, BadgeRead), r["badge"]) for r in rows]


async def badge_award(conn: asyncpg.Connection, person_id: int, public_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT b.badge, b.period, b.awarded_at, p.display_name, p.language FROM badge_awards b"
        " JOIN people p ON p.id = b.person_id WHERE b.person_id = $1 AND b.public_id = $2",
        person_id,
        public_id,
    )
    return row


async def insert_notifications(
    conn: asyncpg.Connection, rows: Sequence[tuple[int, str, str, str, int | None, str]]
) -> None:
    """(person, kind, subject_fr, subject_en, badge award id, dedupe key)."""
    if not rows:
        return
    await conn.execute(
        "INSERT INTO recognition_notifications (person_id, kind, subject_fr, subject_en, badge_award_id,"
        " dedupe_key) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[],"
        " $6::text[]) ON CONFLICT (dedupe_key) DO NOTHING",
        *[list(c) for c in zip(*rows, strict=True)],
    )


async def notifications_of(conn: asyncpg.Connection, person_id: int, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT public_id AS id, kind, subject_fr, subject_en, created_at FROM recognition_notifications"
        " WHERE person_id = $1 ORDER BY id DESC LIMIT $2",
        person_id,
        limit,
    )
    return rows


# --- flags -------------------------------------------------------------------------------------------


async def insert_flag(
    conn: asyncpg.Connection, share_id: int, person_id: int, reasons: list[str], stats: dict[str, float]
) -> bool:
    status = await conn.execute(
        "INSERT INTO share_flags (share_id, person_id, reasons, stats) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (share_id) DO NOTHING",
        share_id,
        person_id,
        reasons,
        stats,
    )
    return bool(status.endswith(" 1"))


_FLAG = """
SELECT f.id AS pk, f.public_id AS id, s.public_id AS share_id, p.display_name AS person, f.reasons, f.stats,
       f.status,
       COALESCE((SELECT sum(held_points) FROM points_ledger l
                 WHERE l.source_type = 'share' AND l.source_id = f.share_id), 0)::int AS held_points,
       f.flagged_at, f.decided_at, f.note
FROM share_flags f JOIN people p ON p.id = f.person_id JOIN shares s ON s.id = f.share_id
"""


async def flags_page(
    conn: asyncpg.Connection, *, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, FlagRead]]:
    rows = await conn.fetch(
        _FLAG + " WHERE ($1::text IS NULL OR f.status = $1) AND ($2::bigint IS NULL OR f.id > $2)"
        " ORDER BY f.id LIMIT $3",
        status,
        after_id,
        limit,
    )
    return [(r["pk"], msgspec.convert(r, FlagRead)) for r in rows]


async def decide_flag(
    conn: asyncpg.Connection, public_id: UUID, status: str, actor_id: int, note: str | None
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "UPDATE share_flags SET status = $2, decided_by = $3, decided_at = now(), note = $4"
        " WHERE public_id = $1 AND status = 'open' RETURNING share_id, person_id",
        public_id,
        status,
        actor_id,
        note,
    )
    return row


async def flagged_among(conn: asyncpg.Connection, share_ids: Sequence[int]) -> set[int]:
    """The shares of these that were ever flagged (a share is flagged at most once, whatever HR decided)."""
    rows = await conn.fetch(
        "SELECT share_id FROM share_flags WHERE share_id = ANY($1::bigint[])", list(share_ids)
    )
    return {r["share_id"] for r in rows}


async def flag_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> FlagRead | None:
    row = await conn.fetchrow(_FLAG + " WHERE f.public_id = $1", public_id)
    return msgspec.convert(row, FlagRead) if row else None


async def held_entries_of_share(conn: asyncpg.Connection, share_id: int) -> list[LedgerEntry]:
    rows = await conn.fetch(
        f"SELECT {ENTRY_COLUMNS} FROM points_ledger WHERE source_type = 'share' AND source_id = $1"
        " AND held_points <> 0 ORDER BY id",
        share_id,
    )
    return [msgspec.convert(r, LedgerEntry) for r in rows]


async def lock_account(conn: asyncpg.Connection, person_id: int) -> int:
    """The person's balance, with their account row locked until the transaction ends."""
    await conn.execute(
        "INSERT INTO points_accounts (person_id) VALUES ($1) ON CONFLICT DO NOTHING", person_id
    )
    balance: int = await conn.fetchval(
        "SELECT balance FROM points_accounts WHERE person_id = $1 FOR UPDATE", person_id
    )
    return balance


async def add_balance(conn: asyncpg.Connection, person_id: int, delta: int) -> None:
    await conn.execute(
        "UPDATE points_accounts SET balance = balance + $2, updated_at = now() WHERE person_id = $1",
        person_id,
        delta,
    )
