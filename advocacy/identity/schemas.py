"""Invitations, passwords and the second factor: what the API reads and writes about them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.core.language import LanguageCode

InvitationStatus = Literal["pending", "accepted", "expired", "revoked"]
# Length is checked by the password policy (advocacy/identity/policy.py), with a message a person can act on.
NewPassword = Annotated[str, Meta(max_length=256)]
CurrentPassword = Annotated[str, Meta(min_length=1, max_length=256)]
LinkToken = Annotated[str, Meta(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
Code = Annotated[str, Meta(min_length=6, max_length=32, description="A 6-digit TOTP code or a recovery code")]


class InvitationRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    person_id: UUID
    email: str
    display_name: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    sent_count: int
    last_sent_at: datetime | None
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Exactly one of: `person_ids`, `team` (its members), `everyone_without_credential`."""

    person_ids: Annotated[list[UUID], Meta(min_length=1, max_length=1000)] | UnsetType = UNSET
    team: Annotated[str, Meta(min_length=1, max_length=120)] | UnsetType = UNSET
    everyone_without_credential: bool = False


class InvitationSkipped(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    email: str
    reason: Literal["has-password", "inactive", "already-invited"]


class InvitationBatch(msgspec.Struct, frozen=True, kw_only=True):
    invited: int
    skipped: list[InvitationSkipped]


class InvitationPreview(msgspec.Struct, frozen=True, kw_only=True):
    """What the invitation page shows before the invitee chooses a password."""

    email: str
    display_name: str
    expires_at: datetime


class AcceptInvitation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token: LinkToken
    password: NewPassword


class ForgotPassword(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Annotated[str, Meta(min_length=3, max_length=254)]


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    detail: str


class ResetPassword(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token: LinkToken
    password: NewPassword


class ChangePassword(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    current_password: CurrentPassword
    new_password: NewPassword


class SecondFactorStatus(msgspec.Struct, frozen=True, kw_only=True):
    enabled: bool
    pending_confirmation: bool
    recovery_codes_left: int
    required: bool


class TotpEnrolment(msgspec.Struct, frozen=True, kw_only=True):
    """The secret to put in an authenticator app (or the otpauth URI as a QR code), then confirm a code."""

    secret: str
    otpauth_uri: str


class TotpConfirm(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: Code


class RecoveryCodes(msgspec.Struct, frozen=True, kw_only=True):
    """Shown this once: each code signs in once instead of a TOTP code; only their hashes are kept."""

    codes: list[str]


class SecondFactorOff(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    current_password: CurrentPassword
    code: Code


class SecondFactorLogin(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    challenge: LinkToken
    code: Code


class ChallengeEnrol(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    challenge: LinkToken


class IdentitySettings(msgspec.Struct, frozen=True, kw_only=True):
    require_second_factor: bool = False


class IdentitySettingsUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    require_second_factor: bool | UnsetType = UNSET


class SecondFactorSession(msgspec.Struct, frozen=True, kw_only=True):
    """A session opened by the second step of signing in; `recovery_codes` when it just set the factor up
    (shown this once)."""

    person_id: UUID
    csrf_token: str
    expires_at: datetime
    recovery_codes: list[str] | None = None


# ---- rows the identity service reads (never API bodies) ----


class CredentialHolder(msgspec.Struct, frozen=True, kw_only=True):
    """A person as their credentials concern them: the password hash and the roles (second factor policy)."""

    id: int
    public_id: UUID
    email: str
    display_name: str
    language: LanguageCode
    active: bool
    password_hash: str | None
    roles: list[str]


class Contact(msgspec.Struct, frozen=True, kw_only=True):
    """Whom a password reset link is sent to."""

    id: int
    email: str
    display_name: str
    language: LanguageCode
    active: bool


class InvitationCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """A person a request names, with what decides whether they can be invited."""

    id: int
    public_id: UUID
    email: str
    display_name: str
    language: LanguageCode
    active: bool
    has_password: bool
    invited: bool


class LockedInvitation(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation locked for a decision, with its person."""

    id: int
    public_id: UUID
    person_id: int
    accepted_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    email: str
    display_name: str
    language: LanguageCode
    active: bool


class LockedReset(msgspec.Struct, frozen=True, kw_only=True):
    """A password reset locked for its use, with its person."""

    id: int
    person_id: int
    used_at: datetime | None
    expires_at: datetime
    active: bool
    email: str
    display_name: str
    language: LanguageCode


class MintedLink(msgspec.Struct, frozen=True, kw_only=True):
    """A link given a new token: until when it works, and whom the mail greets."""

    expires_at: datetime
    display_name: str


class SecondFactorRow(msgspec.Struct, frozen=True, kw_only=True):
    totp_secret: bytes
    confirmed_at: datetime | None
    last_step: int
    codes_left: int


class LockedChallenge(msgspec.Struct, frozen=True, kw_only=True):
    """A sign-in challenge locked for its answer; `active` is its person's."""

    id: int
    person_id: int
    enrolment_required: bool
    enrolment_secret: bytes | None
    attempts: int
    expires_at: datetime
    used_at: datetime | None
    active: bool
