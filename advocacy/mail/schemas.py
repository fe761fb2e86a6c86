"""Outgoing mail: a queued message's row, and a message rendered in its reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

MailKind = Literal["invitation", "password_reset", "password_changed"]
MailStatus = Literal["queued", "sending", "sent", "failed", "unknown", "cancelled"]


class MailRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: MailKind
    person_id: int | None
    to_address: str
    language: Literal["fr", "en"]
    subject_ref: int | None
    context: dict[str, Any]
    message_id: str
    status: MailStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    text: str
    html: str


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a batch queued in one statement (an invitation to everyone)."""

    person_id: int | None
    to_address: str
    language: Literal["fr", "en"]
    subject_ref: int | None = None
