"""SQL for a person's data export (every row that names them) and for erasure by pseudonymisation."""

from __future__ import annotations

from typing import Any

import asyncpg

# Columns never exported: secrets and their hashes are not the person's data, they are keys to it.
_SECRET_MARKERS = ("hash", "token", "secret", "password", "csrf", "encrypted", "ciphertext", "visitor")


# Append-only tables (the points ledger, the audit log, decisions) name people without a foreign key, so that
# history outlives the row it names; by convention such a column is `person_id`, `actor_id`, `*_person_id` or
# `*_by`, and the export finds it by that name.
_PERSON_COLUMN = r"^(person_id|actor_id|[a-z_]+_person_id|[a-z_]+_by)$"


async def columns_naming_people(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """(table, column) for every column that holds a person's id: each foreign key to people(id), and the
    bigint columns named by the convention above; read from the catalog so new domains are included."""
    rows = await conn.fetch(
        """
        SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.confrelid = 'people'::regclass AND array_length(c.conkey, 1) = 1
        UNION
        SELECT t.oid::regclass::text, a.attname
        FROM pg_class t
        JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE t.relkind IN ('r', 'p') AND a.atttypid = 'bigint'::regtype AND a.attname ~ $1
            AND t.relname <> 'people'
        ORDER BY 1, 2
        """,
        _PERSON_COLUMN,
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
    conn: asyncpg.Connection, table: str, naming: list[str], columns: list[str], person_id: int
) -> list[dict[str, Any]]:
    """The rows of `table` where any of the `naming` columns holds the person; for the audit log, also the
    rows whose subject is the person (named there by internal id, public id or e-mail address)."""
    # Identifiers come from the catalog (never from input) and are quoted.
    selected = ", ".join(f't."{c}"' for c in columns)
    where = " OR ".join(f't."{c}" = $1' for c in naming)
    if table == "audit_log":
        where += (
            " OR (t.subject_type = 'person' AND t.subject_id IN"
            " (SELECT x FROM people p, LATERAL (VALUES (p.id::text), (p.public_id::text), (p.email)) v(x)"
            " WHERE p.id = $1))"
        )
    records = await conn.fetch(f"SELECT {selected} FROM {table} t WHERE {where} ORDER BY 1", person_id)
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
    # what an identity provider sent about them (SCIM) named them too; the provider no longer manages them
    await conn.execute("DELETE FROM scim_group_members WHERE person_id = $1", person_id)
    await conn.execute("DELETE FROM scim_users WHERE person_id = $1", person_id)
    return bool(status.endswith(" 1"))
