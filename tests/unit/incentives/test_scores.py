"""Board scores: ties break by who reached the score first, and folding rows one batch at a time gives the
same boards as rebuilding from the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from advocacy.incentives.boards.scores import (
    MAX_POINTS,
    MAX_TS,
    decode_score,
    encode_score,
    seconds_since_epoch,
)
from advocacy.incentives.boards.store import board_deltas, rollup
from advocacy.incentives.schemas import LedgerEntry

points_st = st.integers(min_value=-MAX_POINTS, max_value=MAX_POINTS)
ts_st = st.integers(min_value=0, max_value=MAX_TS)


@given(points_st, ts_st)
def test_a_score_decodes_to_its_points_and_time(points: int, ts: int) -> None:
    assert decode_score(encode_score(points, ts)) == (points, ts)


@given(st.tuples(points_st, ts_st), st.tuples(points_st, ts_st))
def test_more_points_rank_higher_and_equal_points_rank_whoever_reached_them_first(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    by_rule = (a[0], -a[1]) > (b[0], -b[1])
    assert (encode_score(*a) > encode_score(*b)) == by_rule
    assert (encode_score(*a) == encode_score(*b)) == (a == b)


START = datetime(2026, 1, 1, tzinfo=UTC)

row_st = st.tuples(
    st.integers(min_value=1, max_value=4),  # person
    st.sampled_from([None, 1, 2]),  # team
    st.sampled_from([None, 7]),  # campaign
    st.integers(min_value=0, max_value=400 * 24),  # hours after START
    st.integers(min_value=-30, max_value=60),  # points
)


def _entries(rows: list[tuple[int, int | None, int | None, int, int]]) -> list[LedgerEntry]:
    return [
        LedgerEntry(
            id=i, person_id=p, team_id=t, kind="click" if pts >= 0 else "reversal", points=pts, held_points=0,
            quantity=1, network="linkedin", campaign_id=c, source_type="share", source_id=i, rule_version=1,
            reason_code="click", note=None, idempotency_key=f"k{i}", occurred_at=START + timedelta(hours=h),
        )
        for i, (p, t, c, h, pts) in enumerate(rows)
    ]  # fmt: skip


def _fold_like_the_script(batches: list[list[LedgerEntry]]) -> dict[str, dict[str, float]]:
    """What the Lua script does, in Python: decode, add, keep the latest reached time, encode."""
    boards: dict[str, dict[str, float]] = {}
    for batch in batches:
        for (key, member), (points, reached) in board_deltas("ns", batch, {1, 2, 3, 4}).items():
            board = boards.setdefault(key, {})
            old_points, old_reached = decode_score(board[member]) if member in board else (0, -1)
            board[member] = encode_score(old_points + points, max(old_reached, reached))
    return boards


def _day_totals(
    entries: list[LedgerEntry],
) -> list[tuple[int, int | None, int | None, datetime, int, datetime | None]]:
    """What the rebuild query returns: per (person, team, campaign, UTC day)."""
    groups: dict[tuple[int, int | None, int | None, object], list[LedgerEntry]] = {}
    for e in entries:
        groups.setdefault((e.person_id, e.team_id, e.campaign_id, e.occurred_at.date()), []).append(e)
    out = []
    for (p, t, c, day), rows in groups.items():
        nonzero = [r for r in rows if r.points != 0]
        if not nonzero:
            continue
        noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)  # type: ignore[arg-type]
        out.append((p, t, c, noon, sum(r.points for r in rows), max(r.occurred_at for r in nonzero)))
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(row_st, max_size=40), st.integers(min_value=1, max_value=5))
def test_folding_batches_gives_exactly_the_rebuilt_boards(
    rows: list[tuple[int, int | None, int | None, int, int]], cut: int
) -> None:
    entries = _entries(rows)
    batches = [entries[i : i + cut] for i in range(0, len(entries), cut)]
    folded = _fold_like_the_script(batches)
    rebuilt = rollup("ns", _day_totals(entries))
    assert folded == dict(rebuilt)


def test_times_before_the_epoch_and_after_the_span_are_clamped() -> None:
    assert seconds_since_epoch(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert seconds_since_epoch(datetime(2200, 1, 1, tzinfo=UTC)) == MAX_TS
