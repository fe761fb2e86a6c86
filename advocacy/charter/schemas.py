"""Charter versions as people read them (the machine rules live in rules.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

CharterStatus = Literal["draft", "active", "retired"]


class CharterRead(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    status: CharterStatus
    title: str
    body_fr: str
    body_en: str
    material_change: bool
    created_at: datetime
    activated_at: datetime | None


class CharterDraftCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    body_fr: Annotated[str, Meta(min_length=1, max_length=100_000)]
    body_en: Annotated[str, Meta(min_length=1, max_length=100_000)]
    material_change: bool = False
    rules: dict[str, Any] = msgspec.field(default_factory=dict)
