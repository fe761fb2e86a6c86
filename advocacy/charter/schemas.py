"""Charter versions as people read them, the charter document compliance imports and exports, and the bodies
of the check, try and what-if endpoints (the machine rules themselves live in rules.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.charter.engine import MAX_TEXT_LENGTH, CheckContent, Finding
from advocacy.charter.rules import Category, CharterRules, Severity
from advocacy.core.language import Language
from advocacy.core.networks import Network

CharterStatus = Literal["draft", "active", "retired"]
CharterFormat = Literal["toml", "json"]
# The engine refuses longer texts too; bounding the field makes the body's validation say so first.
CheckText = Annotated[str, Meta(max_length=MAX_TEXT_LENGTH)]


class CharterRead(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    status: CharterStatus
    title: str
    body_fr: str
    body_en: str
    material_change: bool
    created_at: datetime
    activated_at: datetime | None


class RuleSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One machine rule described for people, in the reader's language."""

    rule: str
    category: Category
    severity: Severity
    summary: str


class CharterReading(CharterRead, frozen=True, kw_only=True):
    """The charter in force as an employee reads it: its texts plus what the automatic check looks for."""

    rules: list[RuleSummary]


class CharterDraftCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new charter version; also the document `advocacy charter import|export` reads and writes."""

    title: Annotated[str, Meta(min_length=1, max_length=200)]
    body_fr: Annotated[str, Meta(min_length=1, max_length=100_000)]
    body_en: Annotated[str, Meta(min_length=1, max_length=100_000)]
    material_change: bool = False
    rules: CharterRules = CharterRules()


class CheckRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text as it would be shared: on which network, in which language, for which content item."""

    text: CheckText
    network: Network
    language: Language
    content: CheckContent | None = None


class TryRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text to judge against one version; `at` (default now) decides which quiet periods apply."""

    text: CheckText
    network: Network
    language: Language
    content: CheckContent | None = None
    at: Annotated[datetime, Meta(tz=True)] | None = None


class KeptText(msgspec.Struct, frozen=True, kw_only=True):
    """A text kept from a share-time check, as the what-if report re-checks it."""

    text: str
    network: Network
    language: Language
    content: CheckContent | None
    decision: Severity
    charter_version: int
    checked_at: datetime


class ChangedDecision(msgspec.Struct, frozen=True, kw_only=True):
    """A kept text whose decision differs between the version in force and the draft."""

    text: str
    network: Network
    language: Language
    checked_at: datetime
    active_decision: Severity
    draft_decision: Severity
    draft_findings: list[Finding]


class WhatIfReport(msgspec.Struct, frozen=True, kw_only=True):
    """Which of the kept texts (the last 1 000 checked at share time) would change decision under a draft."""

    draft_version: int
    active_version: int | None
    at: datetime
    texts_considered: int
    changed: list[ChangedDecision]


class ActivationRead(msgspec.Struct, frozen=True, kw_only=True):
    """One activation of a version, newest first; `activated_by` is None for the CLI or an erased person."""

    version: int
    title: str
    material_change: bool
    activated_by: UUID | None
    activated_at: datetime
