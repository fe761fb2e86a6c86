"""Board periods, scopes and keys, and the tie-breaking score (pure functions, no I/O).

A board is the Redis sorted set `{namespace}:board:{period}:{scope}` with members str(person_id)."""

from __future__ import annotations

from datetime import UTC, datetime

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
TIE_BITS = 31
TIE_SPAN = 1 << TIE_BITS
MAX_TS = TIE_SPAN - 1  # seconds after EPOCH: until 2092
# |points| must stay below 2**(53 - TIE_BITS) so that the score is an exact double
MAX_POINTS = (1 << (53 - TIE_BITS)) - 1

# Kinds that count on boards: spending and refunds move the balance, never the rank.
BOARD_KINDS = frozenset(
    {"share_published", "click", "engagement", "kudos", "streak_bonus", "reversal", "release", "challenge"}
)


def week_key(at: datetime) -> str:
    year, week, _ = at.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def month_key(at: datetime) -> str:
    at = at.astimezone(UTC)
    return f"{at.year}-{at.month:02d}"


def quarter_key(at: datetime) -> str:
    at = at.astimezone(UTC)
    return f"{at.year}-Q{(at.month - 1) // 3 + 1}"


def period_keys(at: datetime) -> list[str]:
    """The board periods a point written at `at` counts in."""
    return [f"week:{week_key(at)}", f"month:{month_key(at)}", f"quarter:{quarter_key(at)}", "all"]


def current_period_key(period: str, at: datetime) -> str:
    if period == "week":
        return f"week:{week_key(at)}"
    if period == "month":
        return f"month:{month_key(at)}"
    if period == "quarter":
        return f"quarter:{quarter_key(at)}"
    return "all"


def scope_keys(team_id: int | None, campaign_id: int | None) -> list[str]:
    scopes = ["org"]
    if team_id is not None:
        scopes.append(f"team:{team_id}")
    if campaign_id is not None:
        scopes.append(f"campaign:{campaign_id}")
    return scopes


def board_key(namespace: str, period_key: str, scope_key: str) -> str:
    """`{namespace}:board:{period}:{scope}`; members are str(person_id)."""
    return f"{namespace}:board:{period_key}:{scope_key}"


def board_key_pattern(namespace: str) -> str:
    """The pattern every board key matches."""
    return f"{namespace}:board:*"


def seconds_since_epoch(at: datetime) -> int:
    return min(MAX_TS, max(0, int((at - EPOCH).total_seconds())))


def encode_score(points: int, reached_ts: int) -> float:
    """Points first; among equal points, who reached the score earlier (smaller ts) ranks higher."""
    if abs(points) > MAX_POINTS:
        points = MAX_POINTS if points > 0 else -MAX_POINTS
    return float(points * TIE_SPAN + (MAX_TS - reached_ts))


def decode_score(score: float) -> tuple[int, int]:
    """(points, reached_ts) of an encoded score."""
    value = int(score)
    points, tie = divmod(value, TIE_SPAN)
    return points, MAX_TS - tie
