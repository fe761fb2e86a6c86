"""Ambassador consent: status, the opt-in body, visibility and the consent history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Visibility = Literal["public", "team_only", "anonymous", "hidden"]
ConsentKind = Literal["opted_in", "renewed", "reaccepted", "opted_out", "visibility_changed"]


class AmbassadorStatus(msgspec.Struct, frozen=True, kw_only=True):
    """`is_ambassador` is what every ambassador-only action checks; the other fields say why not."""

    is_ambassador: bool
    status: Literal["never", "opted_in", "opted_out"]
    charter_version: int | None
    active_charter_version: int | None
    accepted_at: datetime | None
    expires_at: datetime | None
    opted_out_at: datetime | None
    consent_expired: bool
    needs_reacceptance: bool
    visibility: Visibility
    alias: str | None


class Consent(msgspec.Struct, frozen=True, kw_only=True):
    """A person's consent as stored (advocacy/ambassadors/sql.py CONSENT_COLUMNS); status_from_row reads it.
    `consent_status` is None for a person who never opted in."""

    consent_status: Literal["opted_in", "opted_out"] | None = None
    accepted_at: datetime | None = None
    expires_at: datetime | None = None
    opted_out_at: datetime | None = None
    visibility: Visibility | None = None
    alias_number: int | None = None
    charter_version: int | None = None
    active_charter_version: int | None = None
    needs_reacceptance: bool = False


class OptIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    charter_version: int
    visibility: Visibility | None = None


class VisibilityChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    visibility: Visibility


class ConsentEvent(msgspec.Struct, frozen=True, kw_only=True):
    kind: ConsentKind
    charter_version: int | None
    visibility: Visibility | None
    at: datetime
