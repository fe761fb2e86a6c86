"""Boards: reading one (top N, my rank) with visibility applied, folding new ledger rows in, rebuilding
every board from the ledger, and taking a person off (opt-out) or putting them back (new opt-in)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
from redis.asyncio import Redis

from advocacy.ambassadors.service import status_of
from advocacy.core.errors import Invalid, NotFound
from advocacy.db.pool import Database
from advocacy.incentives.boards import queries, store
from advocacy.incentives.boards.profile_cache import BoardProfileCache
from advocacy.incentives.boards.schemas import Board, BoardEntry, BoardProfile, BoardSelector, MyRank, Period
from advocacy.incentives.boards.scores import board_key, current_period_key
from advocacy.incentives.boards.visibility import shown_name, visible_entries
from advocacy.incentives.lookups import service as lookups
from advocacy.incentives.schemas import CampaignRef, LedgerEntry

REBUILD_JOB = "incentives.rebuild_boards"

# --- reading -----------------------------------------------------------------------------------------


async def names_shown_to(conn: asyncpg.Connection, viewer_id: int, person_ids: list[int]) -> dict[int, str]:
    """The name each person is shown by to this viewer wherever people are ranked outside the boards
    (challenges, recognition): the boards' own rule (visibility.shown_name), so a `hidden`, `anonymous` or
    `team_only` choice holds everywhere. People this viewer may not see are absent."""
    profiles = await queries.board_profiles(conn, [*person_ids, viewer_id])
    viewer = profiles.get(viewer_id)
    viewer_team = viewer.team_id if viewer else None
    shown: dict[int, str] = {}
    for person in person_ids:
        profile = profiles.get(person)
        name = shown_name(profile, viewer_id, viewer_team) if profile else None
        if name is not None:
            shown[person] = name
    return shown


async def _board_location(
    db: Database, namespace: str, person_id: int, selector: BoardSelector
) -> tuple[str, str, CampaignRef | None]:
    """(redis key, period key, the campaign of a campaign board) for a board request."""
    period, key = selector.period, selector.key
    period_key = (
        current_period_key(period, datetime.now(UTC)) if key is None else _checked_period(period, key)
    )
    named: CampaignRef | None = None
    if selector.scope == "org":
        scope_key = "org"
    elif selector.scope == "team":
        async with db.connection() as conn:
            if selector.team is None:
                team_id = await lookups.team_id_of(conn, person_id)
            else:
                team_id = await lookups.team_id_by_public_id(conn, selector.team)
        if team_id is None:
            raise NotFound("No such team (or you are in no team): name one with ?team=")
        scope_key = f"team:{team_id}"
    else:
        if selector.campaign is None:
            raise Invalid("A campaign board needs ?campaign=<the campaign's id or slug>")
        async with db.connection() as conn:
            campaign_id, named = await lookups.campaign_of(conn, selector.campaign)
        # boards are kept under the internal id (the ledger's campaign_id); only the API speaks public ids
        scope_key = f"campaign:{campaign_id}"
    return board_key(namespace, period_key, scope_key), period_key, named


_PERIOD_SHAPES = {
    "week": (re.compile(r"^\d{4}-W\d{2}$"), "2026-W47"),
    "month": (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "2026-11"),
    "quarter": (re.compile(r"^\d{4}-Q[1-4]$"), "2026-Q4"),
}


def _checked_period(period: Period, key: str) -> str:
    if period == "all":
        return "all"
    pattern, example = _PERIOD_SHAPES[period]
    if not pattern.match(key):
        raise Invalid(f"A {period} is written like {example}")
    return f"{period}:{key}"


async def _board_profiles(
    db: Database, cache: BoardProfileCache | None, person_ids: list[int]
) -> dict[int, BoardProfile]:
    """Profiles of the people on a page: this process's copy where it has them, PostgreSQL for the rest."""
    if cache is None:
        async with db.connection() as conn:
            return await queries.board_profiles(conn, person_ids)
    held, missing = cache.found(person_ids)
    if missing:
        generation = cache.generation
        async with db.connection() as conn:
            read = await queries.board_profiles(conn, missing)
        cache.put(read.values(), generation)
        held.update(read)
    return held


async def board_top(
    db: Database,
    redis: Redis,
    namespace: str,
    person_id: int,
    selector: BoardSelector,
    *,
    limit: int,
    cache: BoardProfileCache | None = None,
) -> Board:
    redis_key, period_key, named = await _board_location(db, namespace, person_id, selector)
    window, mine = await store.top_and_me(redis, redis_key, limit, person_id)
    profiles = await _board_profiles(db, cache, [p for _, p, _ in window] + [person_id])
    viewer = profiles.get(person_id)
    viewer_team = viewer.team_id if viewer else None
    entries = visible_entries(window, profiles, person_id, viewer_team, limit)
    me = None
    if mine is not None:
        own = profiles.get(person_id)
        me = BoardEntry(rank=mine[0], name=own.display_name if own else "", points=mine[1], is_me=True)
    return Board(
        period=selector.period, key=period_key, scope=selector.scope, entries=entries, me=me, campaign=named
    )


async def my_rank(
    db: Database,
    redis: Redis,
    namespace: str,
    person_id: int,
    selector: BoardSelector,
    *,
    around: int,
    cache: BoardProfileCache | None = None,
) -> MyRank:
    period, scope = selector.period, selector.scope
    redis_key, period_key, named = await _board_location(db, namespace, person_id, selector)
    mine = await store.my_position(redis, redis_key, person_id)
    if mine is None:
        return MyRank(period=period, key=period_key, scope=scope, me=None, neighbours=[], campaign=named)
    rank = mine[0]
    spread = around * 4 + 4
    window = await store.read_window(redis, redis_key, max(0, rank - 1 - spread), rank - 1 + spread)
    profiles = await _board_profiles(db, cache, [p for _, p, _ in window] + [person_id])
    viewer = profiles.get(person_id)
    viewer_team = viewer.team_id if viewer else None
    shown = visible_entries(window, profiles, person_id, viewer_team, len(window))
    index = next(i for i, e in enumerate(shown) if e.is_me)
    me = shown[index]
    neighbours = shown[max(0, index - around) : index] + shown[index + 1 : index + 1 + around]
    return MyRank(period=period, key=period_key, scope=scope, me=me, neighbours=neighbours, campaign=named)


async def board_snapshot(redis: Redis, key: str) -> list[tuple[str, float]]:
    """Every (member, score) of a board, best first (for checks and tests)."""
    return await store.board_snapshot(redis, key)


# --- writing -----------------------------------------------------------------------------------------


async def fold(
    redis: Redis,
    namespace: str,
    entries: list[LedgerEntry],
    ranked: frozenset[int] | set[int],
    *,
    occasion: str = "",
) -> int:
    """Add written ledger rows to every board they count on; a repeat of the same rows does nothing.

    `occasion` tells apart two deliberate folds of the same rows (a person restored after each opt-in)."""
    return await store.fold(redis, namespace, entries, ranked, occasion=occasion)


async def hold_for_fold(conn: asyncpg.Connection) -> None:
    """Taken by every award before it writes ledger rows, held to its commit (its fold included), so that a
    rebuild running meanwhile sees each award whole (see rebuild)."""
    await queries.lock_boards(conn, exclusive=False)


async def rebuild(
    conn: asyncpg.Connection,
    redis: Redis,
    namespace: str,
    *,
    after_read: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Recompute every board from the ledger; each board is swapped in whole. Returns the board count.

    Awards go on while it runs, so the boards it ends with equal the ledger at its end: under the boards
    lock (which every award holds from its ledger write to its commit, fold included) it notes the ledger's
    high-water mark and reads up to it; under the lock again it swaps its boards in, folds the rows written
    past the mark (their own folds went to the boards being replaced) and drops people who opted out
    meanwhile. `after_read` lets a test interleave work between the read and the swap."""
    await queries.lock_boards(conn, exclusive=True)
    try:
        upto = await queries.ledger_high_water_mark(conn)
    finally:
        await queries.unlock_boards(conn)
    rows = await queries.board_day_totals(conn, upto)
    day_rows = (
        (
            r.person_id,
            r.team_id,
            r.campaign_id,
            datetime(r.day.year, r.day.month, r.day.day, 12, tzinfo=UTC),
            r.points,
            r.reached_at,
        )
        for r in rows
    )
    boards = store.rollup(namespace, day_rows)
    people = sorted({r.person_id for r in rows})
    staging = await store.stage_boards(redis, namespace, boards)
    if after_read is not None:
        await after_read()
    await queries.lock_boards(conn, exclusive=True)
    try:
        count = await store.swap_boards(redis, namespace, boards, staging)
        later = await queries.board_entries_after(conn, upto)
        await store.fold(redis, namespace, later, {e.person_id for e in later}, occasion=f"rebuild:{staging}")
        gone = await queries.not_opted_in(conn, people)
        if gone:
            await store.remove_members(redis, boards, gone)
    finally:
        await queries.unlock_boards(conn)
    return count


async def rebuild_boards(db: Database, redis: Redis, namespace: str) -> int:
    async with db.connection() as conn:
        return await rebuild(conn, redis, namespace)


async def restore_person(
    conn: asyncpg.Connection, redis: Redis, namespace: str, person_id: int, *, upto: int, occasion: str
) -> int:
    """Put back on the boards a person who opted in again: the ledger rows they earned before (ids up to
    `upto`, read when they opted in) are folded again; later rows are folded by their own award jobs.
    Opting out took them off every board, so without this they would come back with only new points,
    unlike a rebuild. Returns the board entries written (0 when they opted out again meanwhile)."""
    await queries.lock_boards(conn, exclusive=False)
    if (await status_of(conn, person_id)).status != "opted_in":
        return 0
    entries = await queries.board_entries_of_person(conn, person_id, upto)
    return await store.fold(redis, namespace, entries, {person_id}, occasion=occasion)


async def remove_person(redis: Redis, namespace: str, person_id: int) -> int:
    """Take a person off every board at once (opt-out); returns how many boards listed them."""
    return await store.remove_member(redis, namespace, person_id)
