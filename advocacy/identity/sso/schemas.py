"""What single sign-on reads and writes: the organisation's SSO settings, and an identity a provider vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.core.roles import Role

AttributeName = Annotated[str, Meta(min_length=1, max_length=300)]
AttributeNames = Annotated[list[AttributeName], Meta(max_length=10)]
GroupName = Annotated[str, Meta(min_length=1, max_length=300)]

# Names tried in order: the OpenID Connect standard claim first, then what Okta and Microsoft Entra ID
# send as SAML attributes, so both protocols work before an admin changes anything.
_ENTRA = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
DEFAULT_CLAIMS: dict[str, list[str]] = {
    "email": ["email", _ENTRA + "emailaddress", "urn:oid:0.9.2342.19200300.100.1.3"],
    "name": ["name", _ENTRA + "name", "displayName", "urn:oid:2.16.840.1.113730.3.1.241"],
    "team": ["department", "http://schemas.microsoft.com/ws/2008/06/identity/claims/department"],
    "location": ["office_location", "city", _ENTRA + "locality"],
    "language": ["locale", "preferredLanguage"],
    "groups": ["groups", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"],
}


class ClaimMapping(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """For each field of a person, the claim (OIDC) or attribute (SAML) names to read, the first present wins."""

    email: AttributeNames = msgspec.field(default_factory=lambda: list(DEFAULT_CLAIMS["email"]))
    name: AttributeNames = msgspec.field(default_factory=lambda: list(DEFAULT_CLAIMS["name"]))
    team: AttributeNames = msgspec.field(default_factory=lambda: list(DEFAULT_CLAIMS["team"]))
    location: AttributeNames = msgspec.field(default_factory=lambda: list(DEFAULT_CLAIMS["location"]))
    language: AttributeNames = msgspec.field(default_factory=lambda: list(DEFAULT_CLAIMS["language"]))
    groups: AttributeNames = msgspec.field(default_factory=lambda: list(DEFAULT_CLAIMS["groups"]))


class GroupRole(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A provider's group (its name or id, as the groups claim carries it) and a role its members hold here."""

    group: GroupName
    role: Role


class SsoSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The organisation's single sign-on rules (organisation settings, section 'sso')."""

    jit_creation: bool = False
    password_login_off: bool = False
    break_glass_admins: list[UUID] = msgspec.field(default_factory=list)
    claims: ClaimMapping = msgspec.field(default_factory=ClaimMapping)
    group_roles: list[GroupRole] = msgspec.field(default_factory=list)


class SsoSettingsUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What an admin changes; a field left out stays as it is, a list given replaces the whole list."""

    jit_creation: bool | UnsetType = UNSET
    password_login_off: bool | UnsetType = UNSET
    break_glass_admins: Annotated[list[UUID], Meta(max_length=20)] | UnsetType = UNSET
    claims: ClaimMapping | UnsetType = UNSET
    group_roles: Annotated[list[GroupRole], Meta(max_length=500)] | UnsetType = UNSET


class IdpIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """Someone a provider vouched for, after the protocol checked the proof (signature, audience, time).

    `attributes` are the ID token's claims (OIDC) or the assertion's attributes (SAML: lists of strings);
    `provider_session` is the provider's session id (OIDC `sid`, SAML `SessionIndex`), kept for logout.
    """

    protocol: str
    issuer: str
    subject: str
    attributes: Mapping[str, Any]
    provider_session: str | None = None


class MappedProfile(msgspec.Struct, frozen=True, kw_only=True):
    """A person's fields as the claim mapping reads them; None: the provider did not say."""

    email: str | None
    email_verified: bool
    display_name: str | None
    team: str | None
    location: str | None
    language: str | None
    groups: list[str]


class SsoSignIn(msgspec.Struct, frozen=True, kw_only=True):
    """A session opened by single sign-on: the cookie's token, its CSRF token, the person, whether they are new."""

    token: str
    csrf_token: str
    expires_at: datetime
    person_id: int
    public_id: UUID
    created: bool
