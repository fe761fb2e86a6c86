"""SQL for a person's data export (every table that references them) and for erasure by pseudonymisation."""

from __future__ import annotations

from typing import Any

import asyncpg

# Columns never exported: secrets and their hashes are not the person's data, they are keys to it.
_SECRET_MARKERS = ("hash", "token", "secret", "password", "csrf", "encrypted", "ciphertext", "visitor")


async def tables_referencing_people(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """(table, column) for every foreign key to people(id), read from the catalog so new domains are included."""
    rows = await conn.fetch(
        """
        SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.confrelid = 'people'::regclass AND array_length(c.conkey, 1) = 1
        ORDER BY 1, 2
        """
    )
    return [(r["table_name"], r["column_name"]) for r in rows]


async def exportable_columns(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped"
        " ORDER BY attnum",
        table,
    )
    return [r["attname"] for r in rows if not any(m in r["attname"] for m in _SECRET_MARKERS)]


async def rows_of_person(
    conn: asyncpg.Connection, table: str, column: str, columns: list[str], person_id: int
) -> list[dict[str, Any]]:
    # Identifiers come from the catalog (never from input) and are quoted.
    selected = ", ".join(f'"{c}"' for c in columns)
    records = await conn.fetch(f'SELECT {selected} FROM {table} WHERE "{column}" = $1 ORDER BY 1', person_id)
    return [dict(r) for r in records]


async def pseudonymise_person(conn: asyncpg.Connection, person_id: int) -> bool:
    status = await conn.execute(
        """
        UPDATE people SET email = 'erased-' || public_id || '@erased.invalid', display_name = 'Erased person',
            location = NULL, job_title = NULL, team_id = NULL, password_hash = NULL, active = false,
            updated_at = now()
        WHERE id = $1 AND email NOT LIKE 'erased-%@erased.invalid'
        """,
        person_id,
    )
    await conn.execute("DELETE FROM person_roles WHERE person_id = $1", person_id)
    return bool(status.endswith(" 1"))
