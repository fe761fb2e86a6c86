"""Badge definitions (fr/en names) and the check that awards each once per person (and period), with date."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import msgspec

from advocacy.incentives import queries
from advocacy.incentives.schemas import LedgerEntry, Message


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


async def grant(
    conn: asyncpg.Connection, awards: list[tuple[int, str, str, datetime]]
) -> list[tuple[int, int, str, str]]:
    """Insert badges not held yet and a notification for each new one; (award id, person, badge, period)."""
    new = await queries.insert_badges(conn, awards)
    notes = []
    for row in new:
        definition = BADGES[row["badge"]]
        suffix = f" ({row['period']})" if row["period"] else ""
        notes.append(
            (
                row["person_id"],
                "badge",
                f"Nouveau badge : {definition.name.fr}{suffix}",
                f"New badge: {definition.name.en}{suffix}",
                row["id"],
                f"badge:{row['id']}",
            )
        )
    await queries.insert_notifications(conn, notes)
    return [(r["id"], r["person_id"], r["badge"], r["period"]) for r in new]


async def check_after_award(conn: asyncpg.Connection, entries: list[LedgerEntry]) -> int:
    """Badges the new rows may have earned (counters and streaks); returns how many were given."""
    if not entries:
        return 0
    added: dict[int, dict[str, int]] = {}
    for e in entries:
        if e.reason_code == "network_not_rewarded" or e.kind not in ("share_published", "click"):
            continue
        delta = added.setdefault(e.person_id, {"shares": 0, "unique_clicks": 0})
        delta["shares" if e.kind == "share_published" else "unique_clicks"] += (
            1 if e.kind == "share_published" else e.quantity
        )
    awards: list[tuple[int, str, str, datetime]] = []
    now = datetime.now(UTC)
    if added:
        for person, account in (await queries.accounts_of(conn, list(added))).items():
            counters = {"shares": int(account["shares"]), "unique_clicks": int(account["unique_clicks"])}
            before = {k: counters[k] - added[person][k] for k in counters}
            awards += [(person, code, "", now) for code in earned_by_counters(counters, before)]
    for entry in entries:
        if entry.kind == "streak_bonus" and entry.note and entry.note.isdigit() and int(entry.note) >= 4:
            awards.append((entry.person_id, "streak_4", "", now))
    return len(await grant(conn, awards)) if awards else 0
