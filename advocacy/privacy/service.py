"""A person's rights over their data: a complete export, and erasure that keeps history without naming them.

Erasure pseudonymises rather than deletes: append-only records (consent events, verdicts, the points ledger,
the audit log) must stay whole for compliance, so they keep pointing at a row that no longer says who it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from advocacy.ambassadors.service import OPTED_OUT_JOB, withdraw_consent
from advocacy.audit.service import write_audit
from advocacy.auth.service import revoke_all_credentials
from advocacy.core.errors import NotFound
from advocacy.core.i18n import gettext, lazy_gettext
from advocacy.db.pool import Database
from advocacy.outbox.service import enqueue
from advocacy.people.service import person_by_id
from advocacy.privacy import queries
from advocacy.privacy.inventory import OTHER_RECORDS, WHAT_EACH_TABLE_HOLDS


class DataExport(msgspec.Struct, frozen=True, kw_only=True):
    generated_at: datetime
    person: dict[str, Any]
    # table name → the rows of that table that reference the person (secret columns left out)
    records: dict[str, list[dict[str, Any]]]


async def export_person(db: Database, person_id: int) -> DataExport:
    async with db.transaction() as conn:
        person = await person_by_id(conn, person_id)
        if person is None:
            raise NotFound(lazy_gettext("No such person"))
        naming: dict[str, list[str]] = {}
        for table, column in await queries.columns_naming_people(conn):
            naming.setdefault(table, []).append(column)
        records: dict[str, list[dict[str, Any]]] = {}
        for table, columns in naming.items():
            exported = await queries.exportable_columns(conn, table)
            rows = await queries.rows_of_person(conn, table, columns, exported, person_id)
            if rows:
                records[table] = rows
    return DataExport(generated_at=datetime.now(UTC), person=msgspec.to_builtins(person), records=records)


class DataKind(msgspec.Struct, frozen=True, kw_only=True):
    """One kind of record the service holds about a person: its table, what it holds, how many rows."""

    table: str
    about: str  # in the request's language
    rows: int


class DataInventory(msgspec.Struct, frozen=True, kw_only=True):
    generated_at: datetime
    kinds: list[DataKind]


def inventory_of(export: DataExport) -> DataInventory:
    """The export's records counted per table, each said in plain words (the export finds the tables in the
    catalog, so a new domain appears here without anyone listing it)."""

    def about(table: str) -> str:
        if table in WHAT_EACH_TABLE_HOLDS:
            return gettext(WHAT_EACH_TABLE_HOLDS[table])
        return gettext(OTHER_RECORDS, table=table)

    kinds = [
        DataKind(table=table, about=about(table), rows=len(rows))
        for table, rows in sorted(export.records.items())
    ]
    return DataInventory(generated_at=export.generated_at, kinds=kinds)


async def inventory(db: Database, person_id: int) -> DataInventory:
    """What the service holds and tracks about a person, kind by kind (the same rows as the export)."""
    return inventory_of(await export_person(db, person_id))


async def erase_person(db: Database, person_id: int, *, actor_id: int | None) -> None:
    """Opt out, revoke every credential and pseudonymise, in one transaction; the opt-out job cleans Redis."""
    async with db.transaction() as conn:
        if await person_by_id(conn, person_id) is None:
            raise NotFound(lazy_gettext("No such person"))
        await withdraw_consent(conn, person_id)
        await enqueue(conn, OPTED_OUT_JOB, {"person_id": person_id})
        await revoke_all_credentials(conn, person_id)
        await queries.pseudonymise_person(conn, person_id)
        await write_audit(
            conn, actor_id=actor_id, action="person.erased", subject_type="person", subject_id=str(person_id)
        )
