"""SQL fragments every content subject's queries share: the bilingual text-search expression and the one
dynamic UPDATE builder (columns from a fixed allow-list, values always as parameters)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import asyncpg


def text_search(param: str) -> str:
    """A tsquery over French, English and plain words for the query text in `param` (e.g. "$8")."""
    return (
        f"(websearch_to_tsquery('french', library_unaccent({param}))"
        f" || websearch_to_tsquery('english', library_unaccent({param}))"
        f" || websearch_to_tsquery('simple', library_unaccent({param})))"
    )


async def update_columns(
    conn: asyncpg.Connection,
    table: str,
    row_id: Any,
    changes: Mapping[str, Any],
    allowed: Collection[str],
    *,
    key: str = "id",
    touch: bool = False,
) -> bool:
    """Set the allowed columns named in `changes` on the row whose `key` is `row_id` (and `updated_at` when
    `touch`). Nothing to set: no statement, False. Table, key and column names come from our code only."""
    columns = [c for c in changes if c in allowed]
    if not columns:
        return False
    sets = ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(columns))
    await conn.execute(
        f"UPDATE {table} SET {sets}{', updated_at = now()' if touch else ''} WHERE {key} = $1",
        row_id,
        *[changes[c] for c in columns],
    )
    return True


# The campaign a filter or a body names, by public id or slug (the small campaigns table is read whole).
CAMPAIGN_BY_KEY = "(SELECT id FROM campaigns WHERE slug = {key} OR public_id::text = lower({key}))"
