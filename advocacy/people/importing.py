"""The people CSV import: every row checked with its line and reason, a dry run, and an import that creates,
updates and (with `active` false) switches people off, all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec

from advocacy.audit.service import write_audit
from advocacy.core.emails import canonical_email
from advocacy.core.roles import Role
from advocacy.db.pool import Database
from advocacy.people import queries
from advocacy.people.schemas import ExistingPerson, ImportReport, ImportRowError, PersonCreate
from advocacy.people.service import admin_password_problem, deactivate, insert_person

CSV_COLUMNS = (
    "email", "display_name", "team", "location", "language", "job_title", "timezone", "roles", "active",
)  # fmt: skip
_ACTIVE_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
MAX_IMPORT_ROWS = 50_000


class ImportRow(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    person: PersonCreate
    roles_given: bool
    # the `active` column: false switches the person off (deactivate()); absent or empty means active
    active: bool = True


def parse_people_csv(text: str) -> tuple[list[ImportRow], list[ImportRowError]]:
    """Parse and validate every row; each bad row is reported with its line number and reason."""
    if not text.strip():
        return [], [ImportRowError(line=1, reason="the file is empty: expected a header line")]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [], [ImportRowError(line=line, reason="the file holds a NUL character (U+0000)")]
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_rows(reader)
    except csv.Error as error:  # e.g. a field over csv.field_size_limit() (128 KiB), an unclosed quote
        # line_num counts the lines read before the one that failed
        return [], [ImportRowError(line=reader.line_num + 1, reason=f"the file is not readable CSV: {error}")]


def _parse_rows(reader: csv.DictReader[str]) -> tuple[list[ImportRow], list[ImportRowError]]:
    if reader.fieldnames is None:
        return [], [ImportRowError(line=1, reason="the file is empty: expected a header line")]
    header = [h.strip().lower() for h in reader.fieldnames]
    missing = {"email", "display_name"} - set(header)
    unknown = set(header) - set(CSV_COLUMNS)
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(sorted(missing)))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(sorted(unknown)))
        return [], [
            ImportRowError(line=1, reason="; ".join(parts) + f" (the columns are: {', '.join(CSV_COLUMNS)})")
        ]
    reader.fieldnames = header
    rows: list[ImportRow] = []
    errors: list[ImportRowError] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = reader.line_num
        if index >= MAX_IMPORT_ROWS:
            errors.append(
                ImportRowError(line=line, reason=f"more than {MAX_IMPORT_ROWS} rows: split the file")
            )
            break
        if None in raw:
            errors.append(ImportRowError(line=line, reason="more values than columns"))
            continue
        values: dict[str, Any] = {k: (v or "").strip() for k, v in raw.items()}
        values = {k: v for k, v in values.items() if v != ""}
        active = _ACTIVE_WORDS.get(str(values.pop("active", "true")).lower())
        if active is None:
            errors.append(ImportRowError(line=line, reason=f"active: {raw['active']!r} is not true or false"))
            continue
        if "roles" in values:
            values["roles"] = [
                r.strip().lower() for r in values["roles"].replace(",", ";").split(";") if r.strip()
            ]
        try:
            person = msgspec.convert(values, PersonCreate)
        except msgspec.ValidationError as exc:
            errors.append(ImportRowError(line=line, reason=_row_reason(exc, values)))
            continue
        weak = admin_password_problem(person)
        if weak is not None:
            errors.append(ImportRowError(line=line, reason=f"password: {weak}"))
            continue
        key = canonical_email(person.email)
        if key in seen:
            errors.append(
                ImportRowError(line=line, reason=f"e-mail {person.email} already on line {seen[key]}")
            )
            continue
        seen[key] = line
        rows.append(ImportRow(line=line, person=person, roles_given="roles" in values, active=active))
    return rows, errors


_ACCEPTS = {
    "email": "is not an e-mail address",
    "language": "is not a language: use fr or en",
    "roles": "is not a role: use " + ", ".join(r.value for r in Role) + " (separated by ;)",
}


def _row_reason(exc: msgspec.ValidationError, values: dict[str, Any]) -> str:
    """Say what is wrong in the words of the file (the column and the value), not the validator's."""
    text = str(exc)
    if text.startswith("Object missing required field `"):
        return f"{text.split('`')[1]}: missing (this column is required)"
    if " - at `$." in text:
        message, where = text.rsplit(" - at `$.", 1)
        field = where.rstrip("`").split("[")[0]
        if field in _ACCEPTS:
            given = values.get(field)
            if field == "roles" and isinstance(given, list) and "'" in message:
                given = message.split("'")[1]
            return f"{field}: {given!r} {_ACCEPTS[field]}"
        return f"{field}: {message}"
    return text


def _differs(existing: ExistingPerson, person: PersonCreate, active: bool) -> bool:
    wanted = {
        "display_name": person.display_name,
        "team": person.team.lower() if person.team else None,
        "location": person.location,
        "language": person.language,
        "job_title": person.job_title,
        "timezone": person.timezone,
    }
    return any(getattr(existing, k) != v for k, v in wanted.items()) or existing.active != active


async def import_people(db: Database, text: str, *, dry_run: bool, actor_id: int | None) -> ImportReport:
    """Upsert people by e-mail. A dry run writes nothing; a re-import of the same file changes nothing.

    A file with any bad row is not imported at all (the report lists every bad row): no half imports.
    """
    rows, errors = parse_people_csv(text)
    requested_dry_run, dry_run = dry_run, dry_run or bool(errors)
    created = updated = unchanged = 0
    async with db.transaction() as conn:
        existing = await queries.existing_people_by_email(conn, [r.person.email for r in rows])
        for row in rows:
            mine = existing.get(canonical_email(row.person.email))
            if mine is None or mine.id != actor_id or not row.roles_given:
                continue
            if set(await queries.roles_of(conn, mine.id)) != {str(r) for r in row.person.roles}:
                reason = "roles: nobody changes their own roles (ask another administrator)"
                errors.append(ImportRowError(line=row.line, reason=reason))
                dry_run = True
        for row in rows:
            person, roles_given = row.person, row.roles_given
            found = existing.get(canonical_email(person.email))
            if found is None:
                created += 1
                if not dry_run:
                    person_id = await insert_person(conn, person)
                    if not row.active:
                        await deactivate(conn, person_id, actor_id=actor_id)
                continue
            roles_changed = False
            if not dry_run and roles_given:
                roles_changed = await queries.set_roles(conn, found.id, [str(r) for r in person.roles])
            elif roles_given:
                roles_changed = set(await queries.roles_of(conn, found.id)) != {str(r) for r in person.roles}
            if _differs(found, person, row.active):
                if not dry_run:
                    values: dict[str, Any] = {
                        "display_name": person.display_name,
                        "team_id": await queries.team_id_for_name(conn, person.team) if person.team else None,
                        "location": person.location,
                        "language": person.language,
                        "job_title": person.job_title,
                        "timezone": person.timezone,
                    }
                    if row.active:
                        values["active"] = True
                    await queries.update_person(conn, found.id, values)
                    if not row.active and found.active:
                        await deactivate(conn, found.id, actor_id=actor_id)
                updated += 1
            elif roles_changed:
                updated += 1
            else:
                unchanged += 1
        if not dry_run:
            await write_audit(
                conn,
                actor_id=actor_id,
                action="people.imported",
                subject_type="people",
                subject_id=None,
                detail={"created": created, "updated": updated, "errors": len(errors)},
            )
    return ImportReport(
        dry_run=requested_dry_run,
        applied=not dry_run,
        rows=len(rows) + len(errors),
        created=created,
        updated=updated,
        unchanged=unchanged,
        errors=errors,
    )
