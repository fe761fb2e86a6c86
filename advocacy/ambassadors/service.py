"""Opt-in is real: consent with the charter version accepted, expiry and renewal, opt-out at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from advocacy.ambassadors import queries
from advocacy.ambassadors.schemas import (
    AmbassadorStatus,
    Consent,
    ConsentEvent,
    OptIn,
    Visibility,
    VisibilityChange,
)
from advocacy.auth.schemas import Principal
from advocacy.charter.service import active_charter_id_and_version
from advocacy.charter.training import require_passed
from advocacy.core.errors import Conflict, DomainError
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.outbox.service import enqueue

OPTED_OUT_JOB = "ambassador.opted_out"
# Someone who opted out and comes back: their earlier points go back on the boards (advocacy/incentives).
OPTED_IN_AGAIN_JOB = "ambassador.opted_in_again"


class NotAnAmbassador(DomainError):
    kind = "not-an-ambassador"
    title = "Opt in first"
    status = 403


def status_from_row(row: Consent | None, active_version: int | None, now: datetime) -> AmbassadorStatus:
    """Status from CONSENT_COLUMNS; a row whose consent_status is NULL (never opted in) counts as none."""
    if row is None or row.consent_status is None:
        return AmbassadorStatus(
            is_ambassador=False,
            status="never",
            charter_version=None,
            active_charter_version=active_version,
            accepted_at=None,
            expires_at=None,
            opted_out_at=None,
            consent_expired=False,
            needs_reacceptance=False,
            visibility="public",
            alias=None,
        )
    opted_in = row.consent_status == "opted_in"
    expired = opted_in and row.expires_at is not None and row.expires_at <= now
    reaccept = opted_in and row.needs_reacceptance
    return AmbassadorStatus(
        is_ambassador=opted_in and not expired and not reaccept,
        status=row.consent_status,
        charter_version=row.charter_version,
        active_charter_version=row.active_charter_version,
        accepted_at=row.accepted_at,
        expires_at=row.expires_at,
        opted_out_at=row.opted_out_at,
        consent_expired=expired,
        needs_reacceptance=reaccept,
        visibility=row.visibility or "public",
        alias=f"Ambassador #{row.alias_number}",
    )


async def status_of(conn: asyncpg.Connection, person_id: int) -> AmbassadorStatus:
    row = await queries.consent_row(conn, person_id)
    active = row.active_charter_version if row else await queries.active_charter_version(conn)
    return status_from_row(row, active, datetime.now(UTC))


async def ambassador_status(db: Database, person_id: int) -> AmbassadorStatus:
    async with db.connection() as conn:
        return await status_of(conn, person_id)


def refusal(status: AmbassadorStatus) -> NotAnAmbassador | None:
    """Why this person may not act as an ambassador now, or None when they may."""
    if status.is_ambassador:
        return None
    if status.status != "opted_in":
        return NotAnAmbassador(
            lazy_gettext(
                "Only ambassadors can do this: opt in (POST /api/v1/me/ambassador) after reading the charter"
            ),
            extra={"reason": "not-opted-in"},
        )
    if status.consent_expired:
        return NotAnAmbassador(
            lazy_gettext("Your consent has expired: renew it by opting in again to the charter in force"),
            extra={"reason": "consent-expired"},
        )
    return NotAnAmbassador(
        lazy_gettext(
            "The charter changed materially (now version %(active_charter_version)s): read and accept it again before your next share",
            active_charter_version=status.active_charter_version,
        ),
        extra={"reason": "charter-reacceptance-required"},
    )


async def require_ambassador(conn: asyncpg.Connection, person_id: int) -> AmbassadorStatus:
    """The check every ambassador-only action makes; raises NotAnAmbassador with the reason."""
    status = await status_of(conn, person_id)
    problem = refusal(status)
    if problem is not None:
        raise problem
    return status


async def opt_in(db: Database, principal: Principal, body: OptIn, *, validity_days: int) -> AmbassadorStatus:
    async with db.transaction() as conn:
        active = await active_charter_id_and_version(conn)
        if active is None:
            raise Conflict(
                lazy_gettext("No charter is in force yet, so nobody can opt in: compliance must activate one")
            )
        charter_id, version = active
        if body.charter_version != version:
            raise Conflict(
                lazy_gettext(
                    "You accepted charter version %(charter_version)s, but version %(version)s is in force: read it and accept that one",
                    charter_version=body.charter_version,
                    version=version,
                ),
                extra={"active_charter_version": version},
            )
        await require_passed(conn, principal.person_id, validity_days=validity_days)
        before = status_from_row(
            await queries.consent_row(conn, principal.person_id), version, datetime.now(UTC)
        )
        if before.status != "opted_in":
            kind = "opted_in"
        elif before.charter_version != version or before.needs_reacceptance:
            kind = "reaccepted"
        else:
            kind = "renewed"
        expires_at = datetime.now(UTC) + timedelta(days=validity_days)
        await queries.upsert_opt_in(
            conn,
            person_id=principal.person_id,
            charter_id=charter_id,
            expires_at=expires_at,
            visibility=body.visibility,
        )
        status = await status_of(conn, principal.person_id)
        event_id = await queries.insert_event(
            conn,
            person_id=principal.person_id,
            kind=kind,
            charter_id=charter_id,
            visibility=status.visibility,
        )
        if before.status == "opted_out":
            # imported here: incentives imports this module (its awards and boards ask a person's status)
            from advocacy.incentives.ledger.service import last_entry_id

            # the ledger's high-water mark now: rows up to it are restored, later ones fold on their own
            upto = await last_entry_id(conn, principal.person_id)
            await enqueue(
                conn,
                OPTED_IN_AGAIN_JOB,
                {"person_id": principal.person_id, "ledger_upto": upto, "consent_event": event_id},
            )
    return status


async def opt_out(db: Database, principal: Principal) -> AmbassadorStatus:
    """Takes effect at once; what other domains must undo (boards, connected accounts) follows via the outbox."""
    async with db.transaction() as conn:
        if await withdraw_consent(conn, principal.person_id):
            await enqueue(conn, OPTED_OUT_JOB, {"person_id": principal.person_id})
        return await status_of(conn, principal.person_id)


async def withdraw_consent(conn: asyncpg.Connection, person_id: int) -> bool:
    """Opt the person out and record the event, in the caller's transaction; False if they were not opted in."""
    if not await queries.mark_opted_out(conn, person_id):
        return False
    await queries.insert_event(conn, person_id=person_id, kind="opted_out", charter_id=None, visibility=None)
    return True


async def change_visibility(db: Database, principal: Principal, body: VisibilityChange) -> AmbassadorStatus:
    visibility: Visibility = body.visibility
    async with db.transaction() as conn:
        if not await queries.set_visibility(conn, principal.person_id, visibility):
            raise Conflict(
                lazy_gettext("Opt in first: the visibility preference belongs to your ambassador profile")
            )
        await queries.insert_event(
            conn,
            person_id=principal.person_id,
            kind="visibility_changed",
            charter_id=None,
            visibility=visibility,
        )
        return await status_of(conn, principal.person_id)


async def consent_history(db: Database, person_id: int) -> list[ConsentEvent]:
    async with db.connection() as conn:
        return await queries.events_of_person(conn, person_id)
