"""The points rules as pure functions: default rules, reasons (fr/en), caps and diminishing returns, and the
anti-gaming detector. No I/O here."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from advocacy.incentives.schemas import ClickSample, Message, NetworkRule, PointsRules

FACEBOOK_WHY = Message(
    fr="Facebook interdit de récompenser les personnes pour leurs publications : un partage sur Facebook "
    "ne rapporte donc aucun point (mais vous pouvez toujours partager).",
    en="Facebook's platform policy forbids rewarding people for posting: a Facebook share earns no points "
    "(you can still share).",
)

DEFAULT_RULES = PointsRules(
    networks={"facebook": NetworkRule(share=0, click=0, engagement=0, rewarded=False, why_not=FACEBOOK_WHY)}
)

# Every reason a ledger row can carry, in both languages; `{note}` is the person-written part (kudos).
REASONS: dict[str, Message] = {
    "share_published": Message(fr="Partage publié", en="Share published"),
    "share_diminished": Message(
        fr="Partage publié (rendement réduit : plusieurs partages le même jour)",
        en="Share published (reduced: several shares the same day)",
    ),
    "network_not_rewarded": FACEBOOK_WHY,
    "daily_cap_reached": Message(fr="Plafond quotidien de points atteint", en="Daily points cap reached"),
    "click": Message(fr="Clics uniques sur votre lien", en="Unique clicks on your link"),
    "click_cap_reached": Message(
        fr="Plafond de points de clics atteint (par partage ou par jour)",
        en="Click points cap reached (per share or per day)",
    ),
    "held_for_review": Message(
        fr="Points de clics retenus : ce partage est en cours de vérification",
        en="Click points held: this share is being reviewed",
    ),
    "released_after_review": Message(
        fr="Points de clics libérés après vérification", en="Click points released after review"
    ),
    "engagement": Message(fr="Réactions à votre publication", en="Engagement on your post"),
    "kudos": Message(fr="Félicitations de l'équipe RH : {note}", en="Kudos from HR: {note}"),
    "streak_bonus": Message(
        fr="Bonus de régularité : des partages {weeks} semaines de suite",
        en="Streak bonus: shares {weeks} weeks in a row",
    ),
    "share_withdrawn": Message(fr="Partage retiré : points repris", en="Share withdrawn: points taken back"),
    "share_reversed": Message(fr="Points repris : {note}", en="Points taken back: {note}"),
    "challenge_won": Message(fr="Défi remporté : {note}", en="Challenge won: {note}"),
    "redemption": Message(fr="Récompense demandée : {note}", en="Reward requested: {note}"),
    "refund": Message(
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


FLAG_REASONS: dict[str, Message] = {
    "few_visitors": Message(
        fr="La plupart des clics viennent de très peu de visiteurs",
        en="Most clicks come from very few visitors",
    ),
    "burst": Message(fr="Des rafales de clics qu'aucun humain ne fait", en="Bursts of clicks no human makes"),
}
