"""The points rules as pure functions: default rules, reasons (fr/en), caps and diminishing returns, board
periods and the tie-breaking score, and the anti-gaming detector. No I/O here."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from advocacy.incentives.schemas import ClickSample, NetworkRule, PointsMessage, PointsRules

FACEBOOK_WHY = PointsMessage(
    fr="Facebook interdit de récompenser les personnes pour leurs publications : un partage sur Facebook "
    "ne rapporte donc aucun point (mais vous pouvez toujours partager).",
    en="Facebook's platform policy forbids rewarding people for posting: a Facebook share earns no points "
    "(you can still share).",
)

DEFAULT_RULES = PointsRules(
    networks={"facebook": NetworkRule(share=0, click=0, engagement=0, rewarded=False, why_not=FACEBOOK_WHY)}
)

# Every reason a ledger row can carry, in both languages; `{note}` is the person-written part (kudos).
REASONS: dict[str, PointsMessage] = {
    "share_published": PointsMessage(fr="Partage publié", en="Share published"),
    "share_diminished": PointsMessage(
        fr="Partage publié (rendement réduit : plusieurs partages le même jour)",
        en="Share published (reduced: several shares the same day)",
    ),
    "network_not_rewarded": FACEBOOK_WHY,
    "daily_cap_reached": PointsMessage(
        fr="Plafond quotidien de points atteint", en="Daily points cap reached"
    ),
    "click": PointsMessage(fr="Clics uniques sur votre lien", en="Unique clicks on your link"),
    "click_cap_reached": PointsMessage(
        fr="Plafond de points de clics atteint (par partage ou par jour)",
        en="Click points cap reached (per share or per day)",
    ),
    "held_for_review": PointsMessage(
        fr="Points de clics retenus : ce partage est en cours de vérification",
        en="Click points held: this share is being reviewed",
    ),
    "released_after_review": PointsMessage(
        fr="Points de clics libérés après vérification", en="Click points released after review"
    ),
    "engagement": PointsMessage(fr="Réactions à votre publication", en="Engagement on your post"),
    "kudos": PointsMessage(fr="Félicitations de l'équipe RH : {note}", en="Kudos from HR: {note}"),
    "streak_bonus": PointsMessage(
        fr="Bonus de régularité : des partages {weeks} semaines de suite",
        en="Streak bonus: shares {weeks} weeks in a row",
    ),
    "share_withdrawn": PointsMessage(
        fr="Partage retiré : points repris", en="Share withdrawn: points taken back"
    ),
    "share_reversed": PointsMessage(fr="Points repris : {note}", en="Points taken back: {note}"),
    "challenge_won": PointsMessage(fr="Défi remporté : {note}", en="Challenge won: {note}"),
    "redemption": PointsMessage(fr="Récompense demandée : {note}", en="Reward requested: {note}"),
    "refund": PointsMessage(
        fr="Demande refusée, points rendus : {note}", en="Request rejected, points returned: {note}"
    ),
}


def reason_text(code: str, note: str | None, language: str, **values: object) -> str:
    message = REASONS.get(code)
    if message is None:
        return note or code
    template = message.fr if language == "fr" else message.en
    try:
        return template.format(note=note or "", **values)
    except (KeyError, IndexError):
        return template


# --- caps and diminishing returns --------------------------------------------------------------------


def share_factor(rules: PointsRules, nth_share_today: int) -> float:
    """Multiplier of the n-th (1-based) published share of the day."""
    factors = rules.share_factors
    return factors[min(nth_share_today, len(factors)) - 1]


def capped(points: int, used: int, cap: int) -> int:
    """What is left of `points` under `cap` once `used` has been spent (never negative)."""
    return max(0, min(points, cap - used))


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


# --- board periods and the score ---------------------------------------------------------------------

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
TIE_BITS = 31
TIE_SPAN = 1 << TIE_BITS
MAX_TS = TIE_SPAN - 1  # seconds after EPOCH: until 2092
# |points| must stay below 2**(53 - TIE_BITS) so that the score is an exact double
MAX_POINTS = (1 << (53 - TIE_BITS)) - 1


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
    """`{namespace}:board:{period}:{scope}`; members are str(person_id) (see ambassadors/cleanup.py)."""
    return f"{namespace}:board:{period_key}:{scope_key}"


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


# Kinds that count on boards: spending and refunds move the balance, never the rank.
BOARD_KINDS = frozenset(
    {"share_published", "click", "engagement", "kudos", "streak_bonus", "reversal", "release", "challenge"}
)


# --- anti-gaming -------------------------------------------------------------------------------------


class AntiGaming(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Thresholds (organisation settings, key `incentives.anti_gaming`): a share with at least `min_clicks`
    person clicks is flagged when its `few_visitors` busiest visitors made `few_visitors_share` of them, or
    when `burst_clicks` of them fall within `burst_window_seconds`."""

    enabled: bool = True
    min_clicks: Annotated[int, Meta(ge=2, le=1_000_000)] = 10
    few_visitors: Annotated[int, Meta(ge=1, le=1000)] = 3
    few_visitors_share: Annotated[float, Meta(gt=0, le=1)] = 0.6
    burst_window_seconds: Annotated[int, Meta(ge=1, le=86_400)] = 10
    burst_clicks: Annotated[int, Meta(ge=2, le=1_000_000)] = 15


def anti_gaming_problems(thresholds: AntiGaming) -> list[str]:
    """What makes a set of thresholds flag every share (or none) whatever its clicks."""
    problems = []
    if thresholds.few_visitors >= thresholds.min_clicks:
        problems.append(
            "`few_visitors` must be below `min_clicks` (else every share with enough clicks is flagged)"
        )
    return problems


def gaming_signals(samples: list[ClickSample], thresholds: AntiGaming) -> tuple[list[str], dict[str, float]]:
    """Why a share's clicks look gamed (empty when they do not), with the figures behind it."""
    total = len(samples)
    stats: dict[str, float] = {"clicks": float(total)}
    if not thresholds.enabled or total < thresholds.min_clicks:
        return [], stats
    reasons: list[str] = []
    by_visitor = Counter(s.visitor for s in samples)
    top = sum(count for _, count in by_visitor.most_common(thresholds.few_visitors))
    stats["visitors"] = float(len(by_visitor))
    stats["top_visitors_share"] = round(top / total, 4)
    if top / total >= thresholds.few_visitors_share:
        reasons.append("few_visitors")
    times = sorted(s.at.timestamp() for s in samples)
    densest = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] > thresholds.burst_window_seconds:
            start += 1
        densest = max(densest, end - start + 1)
    stats["densest_window_clicks"] = float(densest)
    if densest >= thresholds.burst_clicks:
        reasons.append("burst")
    return reasons, stats


FLAG_REASONS: dict[str, PointsMessage] = {
    "few_visitors": PointsMessage(
        fr="La plupart des clics viennent de très peu de visiteurs",
        en="Most clicks come from very few visitors",
    ),
    "burst": PointsMessage(
        fr="Des rafales de clics qu'aucun humain ne fait", en="Bursts of clicks no human makes"
    ),
}
