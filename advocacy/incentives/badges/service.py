"""Badges and cards: granting badges (once per person and period) with a notification each, the badges a
new ledger row earns, a person's badges and notifications, and the shareable card of a badge (also what
the tracked-link card pages draw)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.organisation import read_organisation
from advocacy.db.pool import Database
from advocacy.incentives.badges import queries

# re-exported (`x as x`): the tracked-link card pages (advocacy/links) draw badge cards through this service
from advocacy.incentives.badges.cards import card_period as card_period
from advocacy.incentives.badges.cards import colours_from_settings as colours_from_settings
from advocacy.incentives.badges.cards import render_card as render_card
from advocacy.incentives.badges.definitions import BADGES, earned_by_counters
from advocacy.incentives.badges.definitions import badge_name as badge_name
from advocacy.incentives.badges.schemas import BadgeRead, NotificationRead
from advocacy.incentives.schemas import LedgerEntry


async def grant(
    conn: asyncpg.Connection, awards: list[tuple[int, str, str, datetime]]
) -> list[tuple[int, int, str, str]]:
    """Insert badges not held yet and a notification for each new one; (award id, person, badge, period)."""
    new = await queries.insert_badges(conn, awards)
    notes = []
    for row in new:
        definition = BADGES[row.badge]
        suffix = f" ({row.period})" if row.period else ""
        notes.append(
            (
                row.person_id,
                "badge",
                f"Nouveau badge : {definition.name.fr}{suffix}",
                f"New badge: {definition.name.en}{suffix}",
                row.id,
                f"badge:{row.id}",
            )
        )
    await queries.insert_notifications(conn, notes)
    return [(r.id, r.person_id, r.badge, r.period) for r in new]


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
        for person, account in (await queries.counters_of(conn, list(added))).items():
            counters = {"shares": account.shares, "unique_clicks": account.unique_clicks}
            before = {k: counters[k] - added[person][k] for k in counters}
            awards += [(person, code, "", now) for code in earned_by_counters(counters, before)]
    for entry in entries:
        if entry.kind == "streak_bonus" and entry.note and entry.note.isdigit() and int(entry.note) >= 4:
            awards.append((entry.person_id, "streak_4", "", now))
    return len(await grant(conn, awards)) if awards else 0


async def my_badges(db: Database, person_id: int, language: str) -> list[BadgeRead]:
    async with db.connection() as conn:
        rows = await queries.badges_of(conn, person_id)
    return [msgspec.structs.replace(b, name=badge_name(code, language)) for b, code in rows]


async def badge_card(db: Database, person_id: int, award_id: UUID, language: str) -> bytes:
    async with db.connection() as conn:
        row = await queries.badge_award(conn, person_id, award_id)
        org = await read_organisation(conn)
    if row is None:
        raise NotFound(lazy_gettext("No such badge of yours"))
    colours = colours_from_settings(org.settings)
    period = row.period or row.awarded_at.strftime("%Y-%m-%d")
    return await asyncio.to_thread(
        render_card,
        display_name=row.display_name,
        badge=badge_name(row.badge, language),
        period=period,
        organisation=org.name,
        colours=colours,
        language=language,
    )


async def notifications(db: Database, person_id: int, language: str, limit: int) -> list[NotificationRead]:
    async with db.connection() as conn:
        rows = await queries.notifications_of(conn, person_id, limit)
    return [
        NotificationRead(
            id=r.id,
            kind=r.kind,
            subject=r.subject_fr if language == "fr" else r.subject_en,
            created_at=r.created_at,
        )
        for r in rows
    ]


async def own_badge_award(conn: asyncpg.Connection, person_id: int, award_id: UUID) -> int | None:
    """The internal id of one of the person's own badge awards (None for anyone else's: not theirs to share)."""
    return await queries.own_badge_award(conn, person_id, award_id)
