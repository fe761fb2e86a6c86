"""The optional second factor: TOTP (RFC 6238, pyotp) with single-use recovery codes.

A person turns it on (any role); an organisation setting makes it required for admin, HR and compliance,
who then set it up at their next sign-in. Signing in with it is two steps: the password answers with a
short-lived challenge (a SecondFactorRequired problem carrying it), the code with the challenge opens the
session. Secrets are encrypted at rest (TOKEN_ENCRYPTION_KEYS); recovery codes and challenges are hashed;
a TOTP code is accepted once (the last step used is kept).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import pyotp

from advocacy.audit.service import write_audit
from advocacy.auth.passwords import verify_password
from advocacy.auth.schemas import Principal
from advocacy.connectors.crypto import TokenCipher
from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.http.ratelimit import RateLimiter
from advocacy.identity import queries
from advocacy.identity.errors import SecondFactorRequired
from advocacy.identity.schemas import (
    IdentitySettings,
    IdentitySettingsUpdate,
    LockedChallenge,
    RecoveryCodes,
    SecondFactorOff,
    SecondFactorRow,
    SecondFactorStatus,
    TotpEnrolment,
)
from advocacy.identity.sessions import StartedSession, end_credentials, hash_secret, start_session
from advocacy.settings import Settings

if TYPE_CHECKING:
    from advocacy.auth.service import PrincipalCache

PRIVILEGED = frozenset({"admin", "hr", "compliance"})
CHALLENGE_MINUTES = 5
CHALLENGE_ATTEMPTS = 5
RECOVERY_CODES = 10
ISSUER = "Advocacy"
WRONG_CODE = lazy_gettext("This code is wrong or was already used")
# Codes tried by a signed-in person (set-up, new recovery codes, turning off): a stolen session cannot
# run through the million TOTP codes.
CODE_RULE = "10/15minutes"


async def _count_code_attempt(limiter: RateLimiter, person_id: int) -> None:
    await limiter.hit(
        CODE_RULE, "second-factor", str(person_id), message="Too many codes tried; wait before trying again"
    )


def _cipher(settings: Settings) -> TokenCipher:
    return TokenCipher.from_settings(settings)


def _code_hash(settings: Settings, code: str) -> bytes:
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hmac.new(settings.secret_key.encode(), b"recovery:" + normalised.encode(), hashlib.sha256).digest()


def matching_step(secret: str, code: str, *, after: int, now: float | None = None) -> int | None:
    """The 30-second step `code` belongs to (this one or one either side, for clock drift), if later than
    `after` (a code is accepted once); None when it matches none."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in (current - 1, current, current + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]


def _enrolment(secret: str, email: str, settings: Settings) -> TotpEnrolment:
    issuer = f"{ISSUER} ({urlsplit(settings.public_base_url).hostname})"
    return TotpEnrolment(
        secret=secret, otpauth_uri=pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)
    )


async def organisation_settings(db: Database) -> IdentitySettings:
    async with db.connection() as conn:
        values = await queries.identity_settings(conn)
    return IdentitySettings(require_second_factor=bool(values.get("require_second_factor", False)))


async def update_organisation_settings(
    db: Database, body: IdentitySettingsUpdate, *, actor_id: int
) -> IdentitySettings:
    changes: dict[str, object] = {}
    if isinstance(body.require_second_factor, bool):
        changes["require_second_factor"] = body.require_second_factor
    if changes:
        async with db.transaction() as conn:
            await queries.merge_identity_settings(conn, changes)
            await write_audit(
                conn,
                actor_id=actor_id,
                action="organisation.identity",
                subject_type="organisation",
                subject_id="1",
                detail=changes,
            )
    return await organisation_settings(db)


def _required_for(roles: frozenset[str] | list[str], settings: IdentitySettings) -> bool:
    return settings.require_second_factor and bool(PRIVILEGED & set(roles))


async def status(db: Database, principal: Principal) -> SecondFactorStatus:
    org = await organisation_settings(db)
    async with db.connection() as conn:
        row = await queries.second_factor_of(conn, principal.person_id)
    return SecondFactorStatus(
        enabled=bool(row and row.confirmed_at),
        pending_confirmation=bool(row and not row.confirmed_at),
        recovery_codes_left=int(row.codes_left) if row and row.confirmed_at else 0,
        required=_required_for(principal.roles, org),
    )


async def begin_enrolment(db: Database, settings: Settings, principal: Principal) -> TotpEnrolment:
    """A new secret to put in an authenticator app; it counts once a code from it is confirmed."""
    secret = pyotp.random_base32()
    async with db.transaction() as conn:
        row = await queries.second_factor_of(conn, principal.person_id, lock=True)
        if row is not None and row.confirmed_at is not None:
            raise Conflict("Your second factor is already on: turn it off first to set up another device")
        await queries.put_pending_second_factor(conn, principal.person_id, _cipher(settings).encrypt(secret))
    return _enrolment(secret, principal.email, settings)


async def _turn_on(
    conn: asyncpg.Connection, settings: Settings, person_id: int, secret: str, step: int
) -> RecoveryCodes:
    codes = _new_recovery_codes()
    await queries.confirm_second_factor(conn, person_id, _cipher(settings).encrypt(secret), step)
    await queries.replace_recovery_codes(conn, person_id, [_code_hash(settings, c) for c in codes])
    return RecoveryCodes(codes=codes)


async def confirm_enrolment(
    db: Database,
    limiter: RateLimiter,
    cache: PrincipalCache,
    settings: Settings,
    principal: Principal,
    code: str,
    *,
    session_token: str | None,
) -> RecoveryCodes:
    """Turn the second factor on with a first code; returns the recovery codes (shown once). Other sessions end."""
    await _count_code_attempt(limiter, principal.person_id)
    async with db.transaction() as conn:
        row = await queries.second_factor_of(conn, principal.person_id, lock=True)
        if row is None or row.confirmed_at is not None:
            raise Conflict("There is no set-up in progress: start one first")
        secret = _cipher(settings).decrypt(row.totp_secret)
        step = matching_step(secret, code, after=row.last_step)
        if step is None:
            raise Invalid(
                str(WRONG_CODE),
                extra={"errors": [{"field": "code", "message": str(WRONG_CODE), "source": "body"}]},
            )
        codes = await _turn_on(conn, settings, principal.person_id, secret, step)
        ended = await end_credentials(conn, principal.person_id, keep_session=session_token)
        await write_audit(
            conn,
            actor_id=principal.person_id,
            action="second_factor.enabled",
            subject_type="person",
            subject_id=str(principal.person_id),
            detail=ended,
        )
    cache.forget_person(principal.person_id)
    return codes


async def _check_code(
    conn: asyncpg.Connection, settings: Settings, person_id: int, row: SecondFactorRow, code: str
) -> bool:
    """A TOTP code (recorded so it is not accepted again) or an unused recovery code (spent)."""
    step = matching_step(_cipher(settings).decrypt(row.totp_secret), code, after=row.last_step)
    if step is not None:
        await queries.record_step(conn, person_id, step)
        return True
    return await queries.use_recovery_code(conn, person_id, _code_hash(settings, code))


def _wrong_code() -> Invalid:
    return Invalid(
        str(WRONG_CODE), extra={"errors": [{"field": "code", "message": str(WRONG_CODE), "source": "body"}]}
    )


async def regenerate_recovery_codes(
    db: Database, limiter: RateLimiter, settings: Settings, principal: Principal, code: str
) -> RecoveryCodes:
    await _count_code_attempt(limiter, principal.person_id)
    async with db.transaction() as conn:
        row = await queries.second_factor_of(conn, principal.person_id, lock=True)
        if row is None or row.confirmed_at is None:
            raise NotFound("Your second factor is not on")
        ok = await _check_code(conn, settings, principal.person_id, row, code)
        if ok:
            codes = _new_recovery_codes()
            await queries.replace_recovery_codes(
                conn, principal.person_id, [_code_hash(settings, c) for c in codes]
            )
            await write_audit(
                conn,
                actor_id=principal.person_id,
                action="second_factor.recovery_codes",
                subject_type="person",
                subject_id=str(principal.person_id),
            )
    if not ok:
        raise _wrong_code()
    return RecoveryCodes(codes=codes)


async def turn_off(
    db: Database,
    limiter: RateLimiter,
    cache: PrincipalCache,
    settings: Settings,
    principal: Principal,
    body: SecondFactorOff,
    *,
    session_token: str | None,
) -> None:
    """Turn the second factor off (password and a code asked); refused where the organisation requires it."""
    if _required_for(principal.roles, await organisation_settings(db)):
        raise Forbidden("Your organisation requires a second factor for your role")
    await _count_code_attempt(limiter, principal.person_id)
    async with db.transaction() as conn:
        row = await queries.second_factor_of(conn, principal.person_id, lock=True)
        if row is None or row.confirmed_at is None:
            raise NotFound("Your second factor is not on")
        person = await queries.person_for_credentials(conn, principal.person_id)
        if person is None or not verify_password(person.password_hash, body.current_password):
            message = str(lazy_gettext("Your current password is wrong"))
            raise Invalid(
                message,
                extra={"errors": [{"field": "current_password", "message": message, "source": "body"}]},
            )
        ok = await _check_code(conn, settings, principal.person_id, row, body.code)
        if ok:
            await queries.delete_second_factor(conn, principal.person_id)
            ended = await end_credentials(conn, principal.person_id, keep_session=session_token)
            await write_audit(
                conn,
                actor_id=principal.person_id,
                action="second_factor.disabled",
                subject_type="person",
                subject_id=str(principal.person_id),
                detail=ended,
            )
    if not ok:
        raise _wrong_code()
    cache.forget_person(principal.person_id)


# ---- signing in ----


async def challenge_if_needed(db: Database, person_id: int) -> None:
    """Called once the password is right: raise SecondFactorRequired (with a challenge) when the person has
    a second factor, or must set one up because the organisation requires it for their role."""
    org = await organisation_settings(db)
    async with db.transaction() as conn:
        row = await queries.second_factor_of(conn, person_id)
        enabled = row is not None and row.confirmed_at is not None
        enrol = False
        if not enabled:
            person = await queries.person_for_credentials(conn, person_id)
            enrol = person is not None and _required_for(list(person.roles), org)
            if not enrol:
                return
        token = secrets.token_urlsafe(32)
        expires_at = datetime.now(UTC) + timedelta(minutes=CHALLENGE_MINUTES)
        await queries.insert_challenge(
            conn, person_id, hash_secret(token), enrolment_required=enrol, expires_at=expires_at
        )
    detail = (
        "Your organisation requires a second factor: set it up to sign in"
        if enrol
        else "Enter the code from your authenticator app (or a recovery code)"
    )
    raise SecondFactorRequired(detail, extra={"challenge": token, "enrolment_required": enrol})


def _usable_challenge(row: LockedChallenge | None) -> LockedChallenge:
    if row is None or row.used_at is not None or not row.active or row.expires_at <= datetime.now(UTC):
        raise Unauthenticated("This sign-in has expired: enter your e-mail and password again")
    if row.attempts >= CHALLENGE_ATTEMPTS:
        raise Unauthenticated("Too many wrong codes: enter your e-mail and password again")
    return row


async def enrol_at_sign_in(db: Database, settings: Settings, challenge: str) -> TotpEnrolment:
    """For a sign-in that must set up a second factor: the secret to put in an authenticator app."""
    secret = pyotp.random_base32()
    async with db.transaction() as conn:
        row = _usable_challenge(await queries.lock_challenge(conn, hash_secret(challenge)))
        if not row.enrolment_required:
            raise Conflict("This sign-in does not set up a second factor")
        await queries.set_challenge_secret(conn, row.id, _cipher(settings).encrypt(secret))
        person = await queries.person_for_credentials(conn, row.person_id)
    assert person is not None
    return _enrolment(secret, person.email, settings)


class SecondFactorSignIn:
    def __init__(
        self, session: StartedSession, person_public_id: UUID, recovery_codes: list[str] | None
    ) -> None:
        self.session = session
        self.person_public_id = person_public_id
        self.recovery_codes = recovery_codes


async def complete_sign_in(db: Database, settings: Settings, challenge: str, code: str) -> SecondFactorSignIn:
    """The second step of signing in: a right code with a live challenge opens the session. A wrong code
    counts against the challenge (5 tries)."""
    recovery_codes: list[str] | None = None
    async with db.transaction() as conn:
        row = _usable_challenge(await queries.lock_challenge(conn, hash_secret(challenge)))
        person_id = row.person_id
        if row.enrolment_required:
            if row.enrolment_secret is None:
                raise Conflict("Set up your authenticator app first (the enrol step gives its secret)")
            secret = _cipher(settings).decrypt(row.enrolment_secret)
            step = matching_step(secret, code, after=0)
            ok = step is not None
            if step is not None:
                recovery_codes = (await _turn_on(conn, settings, person_id, secret, step)).codes
                await write_audit(
                    conn,
                    actor_id=person_id,
                    action="second_factor.enabled",
                    subject_type="person",
                    subject_id=str(person_id),
                    detail={"at": "sign-in"},
                )
        else:
            factor = await queries.second_factor_of(conn, person_id, lock=True)
            ok = factor is not None and await _check_code(conn, settings, person_id, factor, code)
        if not ok:
            await queries.count_challenge_attempt(conn, row.id)
        else:
            await queries.use_challenge(conn, row.id)
            session = await start_session(
                conn, person_id, hours=settings.session_ttl_hours, method="password+totp"
            )
            person = await queries.person_for_credentials(conn, person_id)
    if not ok:
        raise _wrong_code()
    assert person is not None
    return SecondFactorSignIn(session, person.public_id, recovery_codes)


async def purge_challenges(db: Database) -> int:
    """Forget sign-in challenges that ended more than a day ago (the hourly housekeeping job)."""
    async with db.transaction() as conn:
        return await queries.purge_challenges(conn)


async def rotate_secret_keys(db: Database, cipher: TokenCipher, *, batch: int = 500) -> dict[str, int]:
    """Re-encrypt every TOTP secret (enrolled, or offered during a sign-in enrolment) under the first key."""
    done: dict[str, int] = {}
    for table in queries.ENCRYPTED_TABLES:
        after, count = 0, 0
        while True:
            async with db.transaction() as conn:
                rows = await queries.encrypted_secrets(conn, table, after, batch)
                if not rows:
                    break
                await queries.store_rotated_secrets(
                    conn, table, [(key, cipher.rotate(secret)) for key, secret in rows]
                )
            after = rows[-1][0]
            count += len(rows)
        done[table] = count
    return done
