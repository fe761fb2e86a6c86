"""The points rules as pure functions: default rules, reasons (fr/en), caps and diminishing returns, and the
anti-gaming detector. No I/O here."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from advocacy.core.i18n import LazyText, lazy_gettext, translate
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

# Every reason a ledger row can carry (catalogue messages); `%(note)s` is the person-written part (kudos).
REASONS: dict[str, LazyText | Message] = {
    "share_published": lazy_gettext("Share published"),
    "share_diminished": lazy_gettext("Share published (reduced: several shares the same day)"),
    "network_not_rewarded": FACEBOOK_WHY,
    "daily_cap_reached": lazy_gettext("Daily points cap reached"),
    "click": lazy_gettext("Unique clicks on your link"),
    "click_cap_reached": lazy_gettext("Click points cap reached (per share or per day)"),
    "held_for_review": lazy_gettext("Click points held: this share is being reviewed"),
    "released_after_review": lazy_gettext("Click points released after review"),
    "engagement": lazy_gettext("Engagement on your post"),
    "kudos": lazy_gettext("Kudos from HR: %(note)s"),
    "streak_bonus": lazy_gettext("Streak bonus: shares %(weeks)s weeks in a row"),
    "share_withdrawn": lazy_gettext("Share withdrawn: points taken back"),
    "share_reversed": lazy_gettext("Points taken back: %(note)s"),
    "challenge_won": lazy_gettext("Challenge won: %(note)s"),
    "redemption": lazy_gettext("Reward requested: %(note)s"),
    "refund": lazy_gettext("Request rejected, points returned: %(note)s"),
}


def reason_text(code: str, note: str | None, language: str, **values: object) -> str:
    message = REASONS.get(code)
    if message is None:
        return note or code
    if isinstance(message, Message):  # an organisation-editable text (FACEBOOK_WHY)
        return message.in_language(language)
    template = translate(message, language)
    try:
        return template % {"note": note or "", **values}
    except (KeyError, ValueError, TypeError):
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


FLAG_REASONS: dict[str, LazyText] = {
    "few_visitors": lazy_gettext("Most clicks come from very few visitors"),
    "burst": lazy_gettext("Bursts of clicks no human makes"),
}
