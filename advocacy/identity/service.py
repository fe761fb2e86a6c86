"""Invitations and passwords: invite people, accept an invitation, forgot / reset / change a password.

Links carry a random token whose SHA-256 hash alone is stored; the token is made when the mail leaves (see
MINTERS), so a re-sent invitation has a new link and the old one stops working. Every password change ends
the person's other sessions (a reset also revokes their API tokens) and writes an audit row.
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from advocacy.audit.service import write_audit
from advocacy.auth.passwords import hash_password, verify_password
from advocacy.auth.schemas import Principal
from advocacy.auth.service import PrincipalCache
from advocacy.core.emails import canonical_email
from advocacy.core.errors import Conflict, Invalid, NotFound
from advocacy.core.i18n import LazyText, lazy_gettext
from advocacy.db.pool import Database
from advocacy.http.ratelimit import RateLimiter
from advocacy.identity import queries
from advocacy.identity.errors import LinkGone
from advocacy.identity.policy import password_problem
from advocacy.identity.schemas import (
    ChangePassword,
    CredentialHolder,
    InvitationBatch,
    InvitationCandidate,
    InvitationCreate,
    InvitationPreview,
    InvitationRead,
    InvitationSkipped,
    LockedInvitation,
    LockedReset,
)
from advocacy.identity.sessions import end_credentials, hash_secret
from advocacy.mail import service as mail
from advocacy.mail.schemas import MailRow, Recipient
from advocacy.mail.service import Minter
from advocacy.settings import Settings

INVITATION_PATH = "/invitation"
RESET_PATH = "/password/reset"
FORGOT_PATH = "/password/forgot"


def field_error(field: str, message: str | LazyText) -> Invalid:
    """A refusal naming the field at fault, in the language of the request (the pages show it by the field)."""
    text = str(message)
    return Invalid(text, extra={"errors": [{"field": field, "message": text, "source": "body"}]})


def check_new_password(password: str, *, field: str, email: str, display_name: str) -> None:
    problem = password_problem(password, email=email, display_name=display_name)
    if problem is not None:
        raise field_error(field, problem)


# ---- invitations ----


async def invite(
    db: Database, settings: Settings, body: InvitationCreate, *, actor_id: int | None
) -> InvitationBatch:
    """Invite the people a request names who have no password yet and no open invitation."""
    person_ids = list(body.person_ids) if isinstance(body.person_ids, list) else None
    team = body.team if isinstance(body.team, str) else None
    if sum([person_ids is not None, team is not None, body.everyone_without_credential]) != 1:
        raise Invalid("Name exactly one of: person_ids, team, everyone_without_credential")
    expires_at = datetime.now(UTC) + timedelta(days=settings.invitation_valid_days)
    async with db.transaction() as conn:
        candidates = await queries.invitation_candidates(
            conn, person_ids=person_ids, team=team, everyone=body.everyone_without_credential
        )
        if person_ids is not None:
            missing = set(person_ids) - {c.public_id for c in candidates}
            if missing:
                raise NotFound(f"No person with the id {sorted(missing, key=str)[0]}")
        elif team is not None and not candidates:
            raise NotFound(f"The team {team!r} has nobody in it (or does not exist)")
        skipped: list[InvitationSkipped] = []
        chosen: list[InvitationCandidate] = []
        for c in candidates:
            reason = (
                "inactive"
                if not c.active
                else "has-password"
                if c.has_password
                else "already-invited"
                if c.invited
                else None
            )
            if reason is None:
                chosen.append(c)
            elif person_ids is not None or team is not None or reason == "already-invited":
                skipped.append(InvitationSkipped(person_id=c.public_id, email=c.email, reason=reason))  # type: ignore[arg-type]
        invited = await _invite(conn, settings, chosen, actor_id=actor_id, expires_at=expires_at)
        if invited:
            scope = "people" if person_ids is not None else "team" if team is not None else "everyone"
            await write_audit(
                conn,
                actor_id=actor_id,
                action="invitations.sent",
                subject_type="people",
                subject_id=team if team is not None else None,
                detail={"scope": scope, "invited": invited, "skipped": len(skipped)},
            )
    return InvitationBatch(invited=invited, skipped=skipped)


async def _invite(
    conn: asyncpg.Connection,
    settings: Settings,
    people: list[InvitationCandidate],
    *,
    actor_id: int | None,
    expires_at: datetime,
) -> int:
    if not people:
        return 0
    ids = [p.id for p in people]
    await queries.close_expired_invitations(conn, ids)
    invitation_of = await queries.insert_invitations(conn, ids, invited_by=actor_id, expires_at=expires_at)
    await mail.queue(
        conn,
        settings,
        "invitation",
        [
            Recipient(
                person_id=p.id,
                to_address=p.email,
                language=p.language,
                subject_ref=invitation_of[p.id],
            )
            for p in people
        ],
    )
    return len(invitation_of)


async def invite_people_without_credential(
    db: Database, settings: Settings, emails: list[str], *, actor_id: int | None
) -> int:
    """The CSV import's --invite: invite those of these people who have no password and no open invitation."""
    if not emails:
        return 0
    expires_at = datetime.now(UTC) + timedelta(days=settings.invitation_valid_days)
    async with db.transaction() as conn:
        public_ids = await queries.public_ids_by_email(conn, [canonical_email(e) for e in emails])
        candidates = await queries.invitation_candidates(
            conn, person_ids=public_ids, team=None, everyone=False
        )
        chosen = [c for c in candidates if c.active and not c.has_password and not c.invited]
        invited = await _invite(conn, settings, chosen, actor_id=actor_id, expires_at=expires_at)
        if invited:
            await write_audit(
                conn,
                actor_id=actor_id,
                action="invitations.sent",
                subject_type="people",
                subject_id=None,
                detail={"scope": "import", "invited": invited},
            )
    return invited


async def invite_again_or_first(db: Database, settings: Settings, email: str) -> bool:
    """Invite a person without a password, or send their open invitation again with a new link (the demo,
    at every start); False when they have a password (nothing to do)."""
    async with db.connection() as conn:
        open_id = await conn.fetchval(
            "SELECT i.public_id FROM invitations i JOIN people p ON p.id = i.person_id WHERE canonical_email(p.email) ="
            " canonical_email($1) AND p.password_hash IS NULL AND i.accepted_at IS NULL AND i.revoked_at IS NULL",
            email,
        )
    if open_id is not None:
        await resend_invitation(db, settings, open_id, actor_id=None)
        return True
    return await invite_people_without_credential(db, settings, [email], actor_id=None) > 0


async def list_invitations(
    db: Database, *, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, InvitationRead]]:
    async with db.connection() as conn:
        return await queries.invitations_page(conn, status=status, after_id=after_id, limit=limit)


async def resend_invitation(
    db: Database, settings: Settings, public_id: UUID, *, actor_id: int | None
) -> InvitationRead:
    """Send the invitation again with a new link (the old one stops working) and a new expiry."""
    async with db.transaction() as conn:
        row = await queries.lock_invitation(conn, public_id)
        if row is None:
            raise NotFound("No such invitation")
        if row.accepted_at is not None:
            raise Conflict("This invitation was accepted: the person can sign in or reset their password")
        if row.revoked_at is not None:
            raise Conflict("This invitation was revoked: invite the person again")
        if not row.active:
            raise Conflict("This person is deactivated")
        try:
            async with conn.transaction():
                await queries.extend_invitation(
                    conn, row.id, datetime.now(UTC) + timedelta(days=settings.invitation_valid_days)
                )
        except asyncpg.UniqueViolationError:
            raise Conflict("This person has a newer open invitation") from None
        await mail.queue(
            conn,
            settings,
            "invitation",
            [
                Recipient(
                    person_id=row.person_id,
                    to_address=row.email,
                    language=row.language,
                    subject_ref=row.id,
                )
            ],
        )
        await write_audit(
            conn,
            actor_id=actor_id,
            action="invitation.resent",
            subject_type="invitation",
            subject_id=str(public_id),
        )
        read = await queries.invitation_read(conn, public_id)
    assert read is not None
    return read


async def revoke_invitation(db: Database, public_id: UUID, *, actor_id: int | None) -> None:
    async with db.transaction() as conn:
        row = await queries.lock_invitation(conn, public_id)
        if row is None:
            raise NotFound("No such invitation")
        if row.accepted_at is not None:
            raise Conflict("This invitation was already accepted")
        if row.revoked_at is None:
            await queries.revoke_invitation(conn, row.id)
            await write_audit(
                conn,
                actor_id=actor_id,
                action="invitation.revoked",
                subject_type="invitation",
                subject_id=str(public_id),
            )


def _usable_invitation(row: LockedInvitation | None) -> LockedInvitation:
    if row is None:
        raise NotFound(
            "This invitation link is not valid: check that it was copied whole, or ask for a new one"
        )
    if row.accepted_at is not None:
        raise LinkGone(
            "This invitation was already used: sign in, or ask for a password reset", kind="invitation-used"
        )
    if row.revoked_at is not None or not row.active:
        raise LinkGone("This invitation was withdrawn: ask your administrator", kind="invitation-revoked")
    if row.expires_at <= datetime.now(UTC):
        raise LinkGone(
            "This invitation has expired: ask your administrator to send it again", kind="invitation-expired"
        )
    return row


async def preview_invitation(db: Database, token: str) -> InvitationPreview:
    async with db.transaction() as conn:
        row = _usable_invitation(await queries.lock_invitation_by_token(conn, hash_secret(token)))
    return InvitationPreview(email=row.email, display_name=row.display_name, expires_at=row.expires_at)


async def accept_invitation(db: Database, cache: PrincipalCache, token: str, password: str) -> int:
    """Set the invitee's password from a valid invitation link; returns their person id."""
    async with db.transaction() as conn:
        row = _usable_invitation(await queries.lock_invitation_by_token(conn, hash_secret(token)))
        check_new_password(password, field="password", email=row.email, display_name=row.display_name)
        await queries.set_password_hash(conn, row.person_id, hash_password(password))
        await queries.accept_invitation(conn, row.id)
        await queries.use_resets_of_person(conn, row.person_id)
        ended = await end_credentials(conn, row.person_id)
        await write_audit(
            conn,
            actor_id=row.person_id,
            action="invitation.accepted",
            subject_type="invitation",
            subject_id=str(row.public_id),
            detail=ended,
        )
    cache.forget_person(row.person_id)
    return int(row.person_id)


async def mint_invitation_link(
    conn: asyncpg.Connection, row: MailRow, settings: Settings
) -> dict[str, Any] | None:
    assert row.subject_ref is not None
    token = secrets.token_urlsafe(32)
    minted = await queries.mint_invitation_token(conn, row.subject_ref, hash_secret(token))
    if minted is None:
        return None
    days = max(1, math.ceil((minted.expires_at - datetime.now(UTC)).total_seconds() / 86400))
    return {
        "link": f"{settings.base_url}{INVITATION_PATH}?token={token}",
        "days": days,
        "display_name": minted.display_name,
    }


# ---- forgotten and changed passwords ----

RESET_RULE = "{n}/hour"


async def forgot_password(
    db: Database, limiter: RateLimiter, settings: Settings, *, email: str, client: str
) -> None:
    """Send a reset link if the address is an active person's; the caller answers the same either way."""
    message = "Too many password reset requests; wait before asking again"
    n = settings.password_resets_per_hour
    await limiter.hit(RESET_RULE.format(n=n), "reset", canonical_email(email.strip()), message=message)
    await limiter.hit(RESET_RULE.format(n=n * 4), "reset-ip", client, message=message)
    async with db.transaction() as conn:
        person = await queries.person_by_email(conn, email.strip())
        if person is None or not person.active:
            return
        expires_at = datetime.now(UTC) + timedelta(minutes=settings.password_reset_valid_minutes)
        reset_id = await queries.insert_reset(conn, person.id, expires_at)
        await mail.queue(
            conn,
            settings,
            "password_reset",
            [
                Recipient(
                    person_id=person.id,
                    to_address=person.email,
                    language=person.language,
                    subject_ref=reset_id,
                )
            ],
        )
        await write_audit(
            conn,
            actor_id=None,
            action="password.reset_requested",
            subject_type="person",
            subject_id=str(person.id),
        )


async def mint_reset_link(
    conn: asyncpg.Connection, row: MailRow, settings: Settings
) -> dict[str, Any] | None:
    assert row.subject_ref is not None
    token = secrets.token_urlsafe(32)
    minted = await queries.mint_reset_token(conn, row.subject_ref, hash_secret(token))
    if minted is None:
        return None
    minutes = max(1, math.ceil((minted.expires_at - datetime.now(UTC)).total_seconds() / 60))
    return {
        "link": f"{settings.base_url}{RESET_PATH}?token={token}",
        "minutes": minutes,
        "display_name": minted.display_name,
    }


def _usable_reset(row: LockedReset | None) -> LockedReset:
    if row is None or not row.active:
        raise NotFound("This reset link is not valid: ask for a new one")
    if row.used_at is not None:
        raise LinkGone("This reset link was already used: ask for a new one", kind="reset-link-used")
    if row.expires_at <= datetime.now(UTC):
        raise LinkGone("This reset link has expired: ask for a new one", kind="reset-link-expired")
    return row


async def check_reset_link(db: Database, token: str) -> None:
    async with db.transaction() as conn:
        _usable_reset(await queries.lock_reset_by_token(conn, hash_secret(token)))


async def reset_password(
    db: Database, cache: PrincipalCache, settings: Settings, token: str, password: str
) -> None:
    """Choose a new password from a reset link: every session ends and every API token is revoked (whoever
    knew the old password may have made some)."""
    async with db.transaction() as conn:
        row = _usable_reset(await queries.lock_reset_by_token(conn, hash_secret(token)))
        check_new_password(password, field="password", email=row.email, display_name=row.display_name)
        await queries.set_password_hash(conn, row.person_id, hash_password(password))
        await queries.use_resets_of_person(conn, row.person_id)
        await queries.close_open_invitations(conn, row.person_id)
        ended = await end_credentials(conn, row.person_id, tokens=True)
        await write_audit(
            conn,
            actor_id=row.person_id,
            action="password.reset",
            subject_type="person",
            subject_id=str(row.person_id),
            detail=ended,
        )
        await _tell_password_changed(conn, settings, row.person_id, row)
    cache.forget_person(row.person_id)


CHANGE_RULE = "10/15minutes"
WRONG_CURRENT = lazy_gettext("Your current password is wrong")


async def change_password(
    db: Database,
    cache: PrincipalCache,
    limiter: RateLimiter,
    settings: Settings,
    principal: Principal,
    body: ChangePassword,
    *,
    session_token: str | None,
) -> None:
    """A signed-in person changes their password (the current one is asked); their other sessions end."""
    await limiter.hit(
        CHANGE_RULE,
        "password-change",
        str(principal.person_id),
        message="Too many attempts at your current password; wait before trying again",
    )
    async with db.transaction() as conn:
        person = await queries.person_for_credentials(conn, principal.person_id)
        if person is None:
            raise NotFound("Your account no longer exists")
        if not verify_password(person.password_hash, body.current_password):
            raise field_error("current_password", WRONG_CURRENT)
        check_new_password(
            body.new_password,
            field="new_password",
            email=person.email,
            display_name=person.display_name,
        )
        await queries.set_password_hash(conn, person.id, hash_password(body.new_password))
        await queries.use_resets_of_person(conn, person.id)
        ended = await end_credentials(conn, person.id, keep_session=session_token)
        await write_audit(
            conn,
            actor_id=person.id,
            action="password.changed",
            subject_type="person",
            subject_id=str(person.id),
            detail=ended,
        )
        await _tell_password_changed(conn, settings, person.id, person)
    cache.forget_person(principal.person_id)


async def _tell_password_changed(
    conn: asyncpg.Connection, settings: Settings, person_id: int, person: LockedReset | CredentialHolder
) -> None:
    await mail.queue(
        conn,
        settings,
        "password_changed",
        [Recipient(person_id=person_id, to_address=person.email, language=person.language)],
        {"display_name": person.display_name, "link": f"{settings.base_url}{FORGOT_PATH}"},
    )


MINTERS: dict[str, Minter] = {"invitation": mint_invitation_link, "password_reset": mint_reset_link}
