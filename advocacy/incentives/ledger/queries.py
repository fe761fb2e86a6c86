"""SQL for the points ledger: what an award reads and locks, the rows it appends and the counters it keeps
(accounts, daily), a person's history and balance, and the rows of a share (held, reversed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from advocacy.incentives.ledger.schemas import Account, ShareTotals
from advocacy.incentives.schemas import ENTRY_COLUMNS, LedgerEntry


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


async def lock_accounts(conn: asyncpg.Connection, person_ids: Sequence[int]) -> None:
    """Create missing account rows and lock them all, in id order (so two writers never deadlock)."""
    ids = sorted(set(person_ids))
    await conn.execute(
        "INSERT INTO points_accounts (person_id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING", ids
    )
    await conn.execute(
        "SELECT person_id FROM points_accounts WHERE person_id = ANY($1::bigint[]) ORDER BY person_id FOR UPDATE",
        ids,
    )


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


async def share_totals(conn: asyncpg.Connection, share_ids: Sequence[int]) -> dict[int, ShareTotals]:
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
    return {
        r[0]: ShareTotals(
            source_id=r[0], points=r[1], click_points=r[2], held=r[3], released=r[4], reversed=r[5]
        )
        for r in rows
    }


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


async def insert_entries(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> list[LedgerEntry]:
    """Append rows (ON CONFLICT DO NOTHING on the idempotency key); returns only those written now."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    records = await conn.fetch(
        "INSERT INTO points_ledger (person_id, team_id, kind, points, held_points, quantity, network,"
        " campaign_id, source_type, source_id, rule_version, reason_code, note, idempotency_key, occurred_at,"
        " multiplier)"
        " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[],"
        " $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::int[], $12::text[], $13::text[],"
        " $14::text[], $15::timestamptz[], $16::float8[])"
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
                multiplier=row[15],
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


async def accounts_of(conn: asyncpg.Connection, person_ids: Sequence[int]) -> dict[int, Account]:
    rows = await conn.fetch(
        "SELECT person_id, balance, earned, shares, unique_clicks FROM points_accounts"
        " WHERE person_id = ANY($1::bigint[])",
        list(person_ids),
    )
    return {r["person_id"]: msgspec.convert(r, Account) for r in rows}


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


async def people_of_share(conn: asyncpg.Connection, share_id: int) -> list[int]:
    """Everyone a share's ledger rows paid (or charged)."""
    rows = await conn.fetch(
        "SELECT DISTINCT person_id FROM points_ledger WHERE source_type = 'share' AND source_id = $1",
        share_id,
    )
    return [r["person_id"] for r in rows]


async def last_entry_id_of(conn: asyncpg.Connection, person_id: int) -> int:
    """The id of the person's last ledger row (0 if none)."""
    value: int = await conn.fetchval(
        "SELECT coalesce(max(id), 0) FROM points_ledger WHERE person_id = $1", person_id
    )
    return value
