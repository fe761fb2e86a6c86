"""The service's one CSV writer: every CSV export goes through it, so no cell can run as a spreadsheet formula
(OWASP CSV injection: a text cell starting with = + - @, a tab or a carriage return is prefixed with ')."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# What a spreadsheet reads as the start of a formula (or a field separator it then re-parses).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | None


def neutralise(value: Cell) -> str | int | float:
    """A cell as written: numbers stay numbers; text that a spreadsheet would evaluate gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def csv_line(values: Iterable[Cell]) -> str:
    """One CSV record (RFC 4180: CRLF line end) with every cell neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(v) for v in values])
    return buffer.getvalue()


def csv_document(header: Iterable[str], rows: Iterable[Iterable[Cell]]) -> str:
    """A whole CSV document: the header, then each row, every cell neutralised."""
    return csv_line(header) + "".join(csv_line(row) for row in rows)
