"""The one dynamic UPDATE builder every domain's queries share: columns from a fixed allow-list in our code,
values always as parameters."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import asyncpg


async def update_columns(
    conn: asyncpg.Connection,
    table: str,
    row_id: Any,
    changes: Mapping[str, Any],
    allowed: Collection[str],
    *,
    key: str = "id",
    touch: bool = False,
    only_if_changed: bool = False,
) -> bool:
    """Set the allowed columns named in `changes` on the row whose `key` is `row_id` (and `updated_at` when
    `touch`). Nothing to set: no statement, False. With `only_if_changed` the row is left alone (and False
    answered) when every value is already the one given, so no trigger or timestamp moves for nothing.
    Table, key and column names come from our code only."""
    columns = [c for c in changes if c in allowed]
    if not columns:
        return False
    sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(columns))
    condition = f"{key} = $1"
    if only_if_changed:
        condition += (
            " AND (" + " OR ".join(f"{c} IS DISTINCT FROM ${i + 2}" for i, c in enumerate(columns)) + ")"
        )
    status = await conn.execute(
        f"UPDATE {table} SET {sets}{', updated_at = now()' if touch else ''} WHERE {condition}",
        row_id,
        *[changes[c] for c in columns],
    )
    return not only_if_changed or status != "UPDATE 0"
