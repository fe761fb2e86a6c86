"""The data of suggestions: what an ambassador sends, how curators decline it, and what both read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from content_library.schemas import Comment, Url

SuggestionStatus = Literal["pending", "accepted", "declined"]


class SuggestionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    link: Url
    note: Comment | None = None


class SuggestionDecline(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(min_length=1, max_length=2000)]


class SuggestionRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    link: str
    note: str | None
    status: SuggestionStatus
    decline_reason: str | None
    item: UUID | None
    suggested_by: UUID | None
    image: UUID | None
    created_at: datetime
    decided_at: datetime | None


class SuggestionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A suggestion as its decision needs it (internal ids included)."""

    id: int
    person_id: int | None
    link: str
    note: str | None
    status: SuggestionStatus
