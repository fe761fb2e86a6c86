"""Point events for tests: one builder with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from advocacy.incentives.schemas import PointEvent

_keys = itertools.count(1)
NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def event(kind: str, person_id: int, **values: Any) -> PointEvent:
    defaults: dict[str, Any] = {
        "network": "linkedin",
        "source_type": "share",
        "source_id": next(_keys),
        "occurred_at": NOON,
        "idempotency_key": f"test:{kind}:{next(_keys)}",
    }
    defaults.update(values)
    return PointEvent(kind=kind, person_id=person_id, **defaults)  # type: ignore[arg-type]
