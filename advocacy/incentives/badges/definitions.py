"""Badge definitions (fr/en names) and which counters earn them (pure functions, no I/O)."""

from __future__ import annotations

import msgspec

from advocacy.incentives.schemas import Message


class BadgeDefinition(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: Message
    # counter on points_accounts and the threshold that earns it; None for badges given by other rules
    counter: str | None = None
    threshold: int = 0


BADGES: dict[str, BadgeDefinition] = {
    b.code: b
    for b in [
        BadgeDefinition(
            code="first_share",
            name=Message(fr="Premier partage", en="First share"),
            counter="shares",
            threshold=1,
        ),
        BadgeDefinition(
            code="shares_10", name=Message(fr="10 partages", en="10 shares"), counter="shares", threshold=10
        ),
        BadgeDefinition(
            code="shares_50", name=Message(fr="50 partages", en="50 shares"), counter="shares", threshold=50
        ),
        BadgeDefinition(
            code="clicks_100",
            name=Message(fr="100 clics uniques", en="100 unique clicks"),
            counter="unique_clicks",
            threshold=100,
        ),
        BadgeDefinition(
            code="clicks_1000",
            name=Message(fr="1 000 clics uniques", en="1,000 unique clicks"),
            counter="unique_clicks",
            threshold=1000,
        ),
        BadgeDefinition(code="streak_4", name=Message(fr="4 semaines d'affilée", en="4-week streak")),
        BadgeDefinition(code="top10_month", name=Message(fr="Top 10 du mois", en="Top 10 of the month")),
        BadgeDefinition(
            code="ambassador_of_the_month",
            name=Message(fr="Ambassadeur du mois", en="Ambassador of the month"),
        ),
    ]
}


def badge_name(code: str, language: str) -> str:
    definition = BADGES.get(code)
    if definition is None:
        return code
    return definition.name.fr if language == "fr" else definition.name.en


def earned_by_counters(counters: dict[str, int], before: dict[str, int] | None = None) -> list[str]:
    """Badges whose threshold the counters reach (and, given `before`, crossed since then)."""
    return [
        b.code
        for b in BADGES.values()
        if b.counter is not None
        and counters.get(b.counter, 0) >= b.threshold
        and (before is None or before.get(b.counter, 0) < b.threshold)
    ]
