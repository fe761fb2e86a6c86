"""The points rules as pure functions: default rules, reasons (fr/en), caps and diminishing returns. No I/O
here."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
