"""Who is calling (the Principal), API tokens, sessions and the login body."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.people.schemas import Email


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticated caller, as the auth middleware puts it on the connection (`request.user`)."""

    person_id: int
    public_id: UUID
    email: str
    display_name: str
    language: Literal["fr", "en"]
    roles: frozenset[str]
    via: Literal["token", "session"]
    csrf_token: str | None = None
    credential_id: int = 0


class ScimClient(msgspec.Struct, frozen=True, kw_only=True):
    """A caller holding one of the organisation's SCIM tokens: no person, and no way past the SCIM routes
    (advocacy.http.guards refuses it on every other route, and refuses everyone else on those)."""

    token_id: int
    token_public_id: UUID
    via: Literal["scim"] = "scim"
    language: Literal["fr", "en"] = "en"
    roles: frozenset[str] = frozenset()


class LoginBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class SessionCreated(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    csrf_token: str
    expires_at: datetime


class TokenCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=80)]
    expires_in_days: Annotated[int, Meta(ge=1, le=3650)] = 90


class TokenRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The token itself is in `token`, shown this once: only its hash is stored."""

    id: UUID
    name: str
    token: str
    prefix: str
    expires_at: datetime


class LoginRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What the password check reads of a person: never leaves the auth service."""

    id: int
    password_hash: str | None
    active: bool
