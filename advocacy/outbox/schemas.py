"""Outbox rows: work that must not be lost, written with the change that causes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

OutboxStatus = Literal["pending", "enqueued", "done", "parked"]


class OutboxRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    job: str
    args: dict[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    done_at: datetime | None
