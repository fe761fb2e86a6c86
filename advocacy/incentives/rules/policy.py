"""The points rules as pure functions: default rules, reasons (fr/en), caps and diminishing returns. No I/O
here."""

from __future__ import annotations

from datetime import UTC, date, datetime

from advocacy.core.i18n import LazyText, format_decimal, lazy_gettext, translate
from advocacy.incentives.rules.schemas import NetworkRule, PointsRules
from advocacy.incentives.schemas import Message

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


CAMPAIGN_MULTIPLIER = lazy_gettext("%(reason)s, campaign multiplier ×%(multiplier)s")


def reason_text(
    code: str, note: str | None, language: str, *, multiplier: float | None = None, **values: object
) -> str:
    """The reason of a ledger row in `language`; a campaign multiplier that applied is said after it."""
    reason = _reason(code, note, language, **values)
    if multiplier is None:
        return reason
    shown = format_decimal(multiplier, format="0.##", language=language)
    return translate(CAMPAIGN_MULTIPLIER, language) % {"reason": reason, "multiplier": shown}


def _reason(code: str, note: str | None, language: str, **values: object) -> str:
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
