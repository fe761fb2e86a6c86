"""SCIM tokens as the API shows them, and the SCIM face of people and groups as the service reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta


class ScimTokenCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=80, description="Which provider holds it, e.g. Okta")]
    expires_in_days: Annotated[int, Meta(ge=1, le=3650)] = 365


class ScimUserRow(msgspec.Struct, frozen=True, kw_only=True):
    """A provisioned person: the people columns SCIM shows, and what the provider sent besides."""

    person_id: int
    public_id: UUID
    email: str
    display_name: str
    job_title: str | None
    language: str
    active: bool
    user_name: str
    external_id: str | None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    groups: list[dict[str, Any]]


class ScimGroupRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    public_id: UUID
    display_name: str
    external_id: str | None
    team_id: int | None
    created_at: datetime
    updated_at: datetime
    members: list[dict[str, Any]]


class PersonFields(msgspec.Struct, frozen=True, kw_only=True):
    """What a SCIM User says of the person's own columns (advocacy.scim.resources.person_fields)."""

    email: str
    display_name: str
    job_title: str | None
    language: str | None
    active: bool


class Condition(msgspec.Struct, frozen=True):
    """One supported comparison of a SCIM filter: a column key of queries.py, an operator, a value."""

    column: str
    op: str
    value: Any
