"""The audit log as CSV or JSON lines, streamed in pages (an export never holds the whole log in memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from advocacy.db.pool import Database
from advocacy.http.csv_cells import Cell, csv_line
from advocacy.shares import review
from advocacy.shares.schemas import AuditEntry, AuditFilter

CSV_COLUMNS = ("id", "at", "actor", "actor_name", "action", "subject_type", "subject_id", "detail")
_PAGE = 1000
_encode = msgspec.json.Encoder().encode


def _csv_line(values: list[Cell]) -> bytes:
    return csv_line(values).encode()


def _csv_row(entry: AuditEntry) -> bytes:
    return _csv_line(
        [
            str(entry.id),
            entry.at.isoformat(),
            str(entry.actor) if entry.actor else "",
            entry.actor_name or "",
            entry.action,
            entry.subject_type,
            entry.subject_id or "",
            _encode(entry.detail).decode(),
        ]
    )


async def audit_export(db: Database, flt: AuditFilter, fmt: str) -> AsyncIterator[bytes]:
    if fmt == "csv":
        yield _csv_line(list[Cell](CSV_COLUMNS))
    after: int | None = None
    while True:
        entries = await review.audit_entries(db, flt, after_id=after, limit=_PAGE)
        if not entries:
            return
        if fmt == "csv":
            yield b"".join(_csv_row(e) for e in entries)
        else:
            yield b"".join(_encode(e) + b"\n" for e in entries)
        if len(entries) < _PAGE:
            return
        after = entries[-1].id
