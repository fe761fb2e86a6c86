"""The boards in Redis: sorted sets `{namespace}:board:{period}:{scope}` with member str(person_id).

The score is points * 2**31 + (MAX_TS - reached_ts): higher points first, and among equal points whoever
reached the total first. Workers fold new ledger rows in with one Lua script per batch (idempotent by a
marker derived from the rows' keys); a rebuild rolls per-day totals up and swaps every board in whole,
giving exactly the scores the incremental path gives.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache

import msgspec
from redis.asyncio import Redis

from advocacy.incentives.boards.scores import (
    BOARD_KINDS,
    MAX_TS,
    TIE_SPAN,
    board_key,
    board_key_pattern,
    decode_score,
    encode_score,
    period_keys,
    scope_keys,
    seconds_since_epoch,
)
from advocacy.incentives.schemas import LedgerEntry

# KEYS[1]: marker ('' for none). ARGV[1]: marker ttl; ARGV[2]: one msgpack array of groups: board key, n,
# n x (member, points, ts). One msgpack argument instead of three per member: packing tens of thousands of
# RESP arguments in Python cost more than the script. One ZMSCORE and one ZADD per board key. Scores are
# formatted with %.0f: Redis' Lua would otherwise turn them into strings with 14 significant digits.
_FOLD = f"""
if KEYS[1] ~= '' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return -1 end
end
local span = {TIE_SPAN}
local maxts = {MAX_TS}
local data = cmsgpack.unpack(ARGV[2])
local i = 1
local n = 0
while i <= #data do
  local key = data[i]
  local count = data[i + 1]
  i = i + 2
  local members = {{}}
  for j = 0, count - 1 do members[j + 1] = data[i + j * 3] end
  local current = redis.call('ZMSCORE', key, unpack(members))
  local zargs = {{}}
  for j = 0, count - 1 do
    local add = data[i + j * 3 + 1]
    local ts = data[i + j * 3 + 2]
    local points, reached = 0, -1
    local score = current[j + 1]
    if score then
      local s = tonumber(score)
      points = math.floor(s / span)
      reached = maxts - (s - points * span)
    end
    if ts > reached then reached = ts end
    points = points + add
    zargs[#zargs + 1] = string.format('%.0f', points * span + (maxts - reached))
    zargs[#zargs + 1] = members[j + 1]
  end
  redis.call('ZADD', key, unpack(zargs))
  i = i + count * 3
  n = n + count
end
return n
"""

MARKER_TTL_SECONDS = 7 * 24 * 3600
GROUP_MAX = 1000  # members per ZMSCORE/ZADD (Lua's unpack has a stack limit)
CALL_MAX = 6000  # members per script call: keeps each call short so Redis stays responsive


@lru_cache(maxsize=4096)
def _boards_of_day(
    namespace: str, day: date, team_id: int | None, campaign_id: int | None
) -> tuple[str, ...]:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return tuple(
        board_key(namespace, period, scope)
        for period in period_keys(noon)
        for scope in scope_keys(team_id, campaign_id)
    )


def board_deltas(
    namespace: str, entries: Iterable[LedgerEntry], ranked: frozenset[int] | set[int]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(board key, member) -> (points to add, latest reached ts) for the entries that move boards."""
    deltas: dict[tuple[str, str], tuple[int, int]] = {}
    for entry in entries:
        if entry.points == 0 or entry.kind not in BOARD_KINDS or entry.person_id not in ranked:
            continue
        ts = seconds_since_epoch(entry.occurred_at)
        member = str(entry.person_id)
        day = entry.occurred_at.astimezone(UTC).date()
        for key in _boards_of_day(namespace, day, entry.team_id, entry.campaign_id):
            slot = (key, member)
            previous = deltas.get(slot)
            if previous is None:
                deltas[slot] = (entry.points, ts)
            else:
                deltas[slot] = (previous[0] + entry.points, max(previous[1], ts))
    return deltas


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
    deltas = board_deltas(namespace, entries, ranked)
    if not deltas:
        return 0
    keys = "\n".join([occasion, *sorted(e.idempotency_key for e in entries)])
    digest = hashlib.sha256(keys.encode()).hexdigest()[:32]
    by_key: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for (key, member), (points, reached) in deltas.items():
        by_key[key].append((member, points, reached))
    calls: list[list[str | int]] = [[]]
    size = 0
    for key, members in by_key.items():
        for start in range(0, len(members), GROUP_MAX):
            group = members[start : start + GROUP_MAX]
            if size + len(group) > CALL_MAX and size:
                calls.append([])
                size = 0
            data = calls[-1]
            data += [key, len(group)]
            for member, points, reached in group:
                data += [member, points, reached]
            size += len(group)
    script = redis.register_script(_FOLD)
    written = 0
    async with redis.pipeline(transaction=False) as pipe:
        for number, data in enumerate(calls):
            await script(
                keys=[f"{namespace}:boardfold:{digest}:{number}"],
                args=[MARKER_TTL_SECONDS, msgspec.msgpack.encode(data)],
                client=pipe,
            )
        for result in await pipe.execute():
            written += max(0, int(result))
    return written


def rollup(
    namespace: str, day_rows: Iterable[tuple[int, int | None, int | None, datetime, int, datetime | None]]
) -> dict[str, dict[str, float]]:
    """board key -> {member: score} from per-day totals (person, team, campaign, day start, points, reached)."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, -1])
    for person, team, campaign, day, points, reached_at in day_rows:
        ts = seconds_since_epoch(reached_at) if reached_at is not None else -1
        member = str(person)
        for period in period_keys(day):
            for scope in scope_keys(team, campaign):
                slot = totals[(board_key(namespace, period, scope), member)]
                slot[0] += points
                slot[1] = max(slot[1], ts)
    boards: dict[str, dict[str, float]] = defaultdict(dict)
    for (key, member), (points, reached) in totals.items():
        boards[key][member] = encode_score(points, reached)
    return boards


async def stage_boards(redis: Redis, namespace: str, boards: dict[str, dict[str, float]]) -> str:
    """Write these boards aside (not yet seen by readers); returns the staging prefix for swap_boards."""
    staging = f"{namespace}:boardtmp:{secrets.token_hex(6)}"
    prefix = f"{namespace}:board:"
    async with redis.pipeline(transaction=False) as pipe:
        pending = 0
        for key, members in boards.items():
            tmp = staging + ":" + key[len(prefix) :]
            items = list(members.items())
            for start in range(0, len(items), 5000):
                pipe.zadd(tmp, dict(items[start : start + 5000]))
                pending += 1
            if pending >= 200:
                await pipe.execute()
                pending = 0
        await pipe.execute()
    return staging


async def swap_boards(redis: Redis, namespace: str, boards: dict[str, dict[str, float]], staging: str) -> int:
    """Make the staged boards the only boards, each swapped in whole. Returns the board count."""
    prefix = f"{namespace}:board:"
    existing = {k.decode() async for k in redis.scan_iter(match=f"{prefix}*", count=1000)}
    async with redis.pipeline(transaction=False) as pipe:
        for key in boards:
            pipe.rename(staging + ":" + key[len(prefix) :], key)
        stale = existing - set(boards)
        if stale:
            pipe.delete(*stale)
        await pipe.execute()
    return len(boards)


async def remove_members(redis: Redis, keys: Iterable[str], person_ids: list[int]) -> None:
    """Take these people off these boards."""
    members = [str(p) for p in person_ids]
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.zrem(key, *members)
        await pipe.execute()


async def board_snapshot(redis: Redis, key: str) -> list[tuple[str, float]]:
    """Every (member, score) of a board, best first (for tests and checks)."""
    raw = await redis.zrevrange(key, 0, -1, withscores=True)
    return [(m.decode(), float(s)) for m, s in raw]


# --- reading ------------------------------------------------------------------------------------------


async def read_window(redis: Redis, key: str, start: int, stop: int) -> list[tuple[int, int, int]]:
    """(rank, person, points) for positions start..stop (0-based, inclusive)."""
    raw = await redis.zrevrange(key, start, stop, withscores=True)
    return [(start + i + 1, int(m), decode_score(s)[0]) for i, (m, s) in enumerate(raw)]


async def my_position(redis: Redis, key: str, person_id: int) -> tuple[int, int] | None:
    """(rank, points) of a person on a board, or None when not on it."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zrevrank(key, str(person_id))
        pipe.zscore(key, str(person_id))
        rank, score = await pipe.execute()
    if rank is None or score is None:
        return None
    return int(rank) + 1, decode_score(float(score))[0]


def _points_of_raw(score: bytes) -> int:
    """The points of a score as Redis sends it (decoded while the reply is parsed: one pass, not two)."""
    return decode_score(float(score))[0]


async def top_and_me(
    redis: Redis, key: str, limit: int, person_id: int
) -> tuple[list[tuple[int, int, int]], tuple[int, int] | None]:
    """The first limit*2+10 positions (room for people not listed) and my (rank, points), in one trip."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zrevrange(key, 0, limit * 2 + 9, withscores=True, score_cast_func=_points_of_raw)
        pipe.zrevrank(key, str(person_id))
        pipe.zscore(key, str(person_id))
        raw, rank, score = await pipe.execute()
    window = [(i + 1, int(m), points) for i, (m, points) in enumerate(raw)]
    me = None if rank is None or score is None else (int(rank) + 1, decode_score(float(score))[0])
    return window, me


async def remove_member(redis: Redis, namespace: str, person_id: int) -> int:
    """Take a person off every board; returns how many boards listed them."""
    removed = 0
    member = str(person_id)
    async for key in redis.scan_iter(match=board_key_pattern(namespace), count=500):
        removed += int(await redis.zrem(key, member))
    return removed
