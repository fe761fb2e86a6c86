"""People and teams: what the API reads and writes about them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.ambassadors.schemas import Consent
from advocacy.core.language import LanguageCode
from advocacy.core.roles import Role

Email = Annotated[
    str,
    Meta(
        pattern=r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
        max_length=254,
        description="An e-mail address",
    ),
]
DisplayName = Annotated[str, Meta(min_length=1, max_length=120)]
ShortText = Annotated[str, Meta(min_length=1, max_length=120)]
# The length bounds of advocacy/identity/policy.py (which the service applies in full: common passwords, own name)
Password = Annotated[str, Meta(min_length=12, max_length=256)]
TimeZone = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*$")]


class TeamRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str


class TeamCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: ShortText


class PersonRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    display_name: str
    team: str | None
    location: str | None
    language: LanguageCode
    job_title: str | None
    timezone: str
    active: bool
    roles: list[Role]
    created_at: datetime


class PersonCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    display_name: DisplayName
    team: ShortText | None = None
    location: ShortText | None = None
    language: LanguageCode = "fr"
    job_title: ShortText | None = None
    timezone: TimeZone = "Europe/Paris"
    roles: Annotated[list[Role], Meta(max_length=6)] = msgspec.field(default_factory=lambda: [Role.EMPLOYEE])
    password: Password | None = None


class PersonUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    display_name: DisplayName | UnsetType = UNSET
    team: ShortText | UnsetType | None = UNSET
    location: ShortText | UnsetType | None = UNSET
    language: LanguageCode | UnsetType = UNSET
    job_title: ShortText | UnsetType | None = UNSET
    timezone: TimeZone | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    roles: Annotated[list[Role], Meta(max_length=6)] | UnsetType = UNSET


class ProfileUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a person may change about themselves."""

    display_name: DisplayName | UnsetType = UNSET
    language: LanguageCode | UnsetType = UNSET
    timezone: TimeZone | UnsetType = UNSET


class ImportRowError(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    reason: str


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    dry_run: bool
    applied: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]


class PersonWithConsent(msgspec.Struct, frozen=True, kw_only=True):
    """A person, their team's id and their consent: what every request of theirs needs (cached, see my_row)."""

    person: PersonRead
    team_id: int | None
    consent: Consent


class ExistingPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person an import or an admin creation meets again by e-mail (canonical form), with the fields an
    import compares (`team` in lower case)."""

    id: int
    email: str
    display_name: str
    team_id: int | None
    team: str | None
    location: str | None
    language: str
    job_title: str | None
    timezone: str
    active: bool


class PersonAudience(msgspec.Struct, frozen=True, kw_only=True):
    """What an item's audience is matched against: the person's team, location (lower-cased), language."""

    team_id: int | None
    location: str | None
    language: str
