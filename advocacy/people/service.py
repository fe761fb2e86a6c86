"""Decisions about people: creating, updating, roles, and the CSV import with its dry run.

Other domains read people through these functions; their SQL may join only the read views this domain
offers (migration 0260): `person_refs` and `team_refs`, a person's or a team's internal and public id."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.audit.service import write_audit
from advocacy.auth.passwords import hash_password
from advocacy.auth.service import PrincipalCache, revoke_all_credentials
from advocacy.core.emails import canonical_email
from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound
from advocacy.core.i18n import LazyText, lazy_gettext
from advocacy.core.roles import Role
from advocacy.db.pool import Database
from advocacy.identity.policy import password_problem
from advocacy.people import queries
from advocacy.people.schemas import (
    ExistingPerson,
    ImportReport,
    ImportRowError,
    PersonAudience,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    PersonWithConsent,
    ProfileUpdate,
    TeamRead,
)


async def my_row(db: Database, cache: PrincipalCache, person_id: int) -> PersonWithConsent:
    """My profile, team id and consent (people.queries.person_with_consent), from this process's cache when
    it holds them (dropped on any change to the person, see PrincipalCache)."""
    row = cache.person_row(person_id)
    if isinstance(row, PersonWithConsent):
        return row
    async with db.connection() as conn:
        found = await queries.person_with_consent(conn, person_id)
    if found is None:
        raise NotFound(lazy_gettext("Your account no longer exists"))
    cache.put_person_row(person_id, found)
    return found


CSV_COLUMNS = ("email", "display_name", "team", "location", "language", "job_title", "timezone", "roles")
MAX_IMPORT_ROWS = 50_000


async def audience_of(conn: asyncpg.Connection, person_id: int) -> PersonAudience | None:
    """The person's team, location and language, as content audiences match them (None: no such person)."""
    return await queries.audience_of(conn, person_id)


async def team_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Internal ids of the teams with these public ids (unknown ones are absent)."""
    return await queries.team_ids_by_public_ids(conn, public_ids)


async def team_id_of(conn: asyncpg.Connection, person_id: int) -> int | None:
    """The person's team (None when they have none)."""
    return await queries.team_id_of(conn, person_id)


async def people_by_email(conn: asyncpg.Connection, emails: list[str]) -> dict[str, ExistingPerson]:
    """The people with these e-mails, by canonical e-mail (unknown ones are absent)."""
    return await queries.existing_people_by_email(conn, emails)


async def person_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Internal ids of the people with these public ids (unknown ones are absent)."""
    return await queries.person_ids_by_public_ids(conn, public_ids)


def _password_problem(person: PersonCreate) -> LazyText | None:
    """A password an admin sets follows the policy a person's own choice does."""
    if person.password is None:
        return None
    return password_problem(person.password, email=person.email, display_name=person.display_name)


async def create_person(db: Database, body: PersonCreate, *, actor_id: int | None) -> PersonRead:
    weak = _password_problem(body)
    if weak is not None:
        raise Invalid(weak, extra={"errors": [{"field": "password", "message": str(weak), "source": "body"}]})
    async with db.transaction() as conn:
        if await queries.existing_people_by_email(conn, [body.email]):
            raise Conflict(
                lazy_gettext("A person with the e-mail %(email)s already exists", email=body.email)
            )
        person_id = await _insert(conn, body)
        await write_audit(
            conn, actor_id=actor_id, action="person.created", subject_type="person", subject_id=body.email
        )
        person = await queries.person_by_id(conn, person_id)
    assert person is not None
    return person


async def _insert(conn: asyncpg.Connection, body: PersonCreate) -> int:
    values: dict[str, Any] = msgspec.structs.asdict(body)
    values["team_id"] = await queries.team_id_for_name(conn, body.team) if body.team else None
    values["password_hash"] = hash_password(body.password) if body.password else None
    person_id = await queries.insert_person(conn, values)
    await queries.set_roles(conn, person_id, [str(r) for r in body.roles])
    return person_id


async def update_person(
    db: Database, public_id: UUID, body: PersonUpdate | ProfileUpdate, *, actor_id: int | None
) -> PersonRead:
    changes = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not msgspec.UNSET}
    async with db.transaction() as conn:
        person_id = await queries.person_id_by_public_id(conn, public_id)
        if person_id is None:
            raise NotFound(lazy_gettext("No such person"))
        roles = changes.pop("roles", None)
        detail: dict[str, Any] = {}
        if roles is not None:
            before = sorted(await queries.roles_of(conn, person_id))
            after = sorted({str(r) for r in roles})
            if after != before and person_id == actor_id:
                raise Forbidden(
                    lazy_gettext("Nobody changes their own roles: ask another administrator"),
                    extra={"reason": "self"},
                )
            detail["roles"] = {"before": before, "after": after}
        if changes.get("active") is False and person_id == actor_id:
            raise Forbidden(
                lazy_gettext("You cannot deactivate yourself: ask another administrator"),
                extra={"reason": "self"},
            )
        if "team" in changes:
            team = changes.pop("team")
            changes["team_id"] = await queries.team_id_for_name(conn, team) if team else None
        active = changes.get("active")
        await queries.update_person(conn, person_id, {k: v for k, v in changes.items() if k != "active"})
        if roles is not None:
            await queries.set_roles(conn, person_id, [str(r) for r in roles])
        if active is False:
            await deactivate(conn, person_id, actor_id=actor_id)
        elif active is True:
            await queries.update_person(conn, person_id, {"active": True})
        await write_audit(
            conn,
            actor_id=actor_id,
            action="person.updated",
            subject_type="person",
            subject_id=str(public_id),
            detail={"fields": sorted(changes) + (["roles"] if roles is not None else []), **detail},
        )
        person = await queries.person_by_id(conn, person_id)
    assert person is not None
    return person


async def deactivate(conn: asyncpg.Connection, person_id: int, *, actor_id: int | None) -> bool:
    """The one way a person is switched off (PATCH /people/{id}; SCIM and the people CSV call it too):
    inactive, and at once every web session ended and every API token revoked, so nothing of theirs comes
    back to life if they are switched on again. Audited. False when they were already inactive."""
    was_active = await queries.set_inactive(conn, person_id)
    await revoke_all_credentials(conn, person_id)
    if was_active:
        await write_audit(
            conn,
            actor_id=actor_id,
            action="person.deactivated",
            subject_type="person",
            subject_id=str(person_id),
        )
    return was_active


async def create_admin(db: Database, *, email: str, display_name: str, password: str) -> PersonRead:
    """Create an administrator, or give an existing person the admin role and this password."""
    body = msgspec.convert(
        {"email": email, "display_name": display_name, "password": password, "roles": ["admin", "employee"]},
        PersonCreate,
    )
    async with db.transaction() as conn:
        existing = await queries.existing_people_by_email(conn, [body.email])
        if existing:
            person_id = existing[canonical_email(body.email)].id
            await queries.set_password_hash(conn, person_id, hash_password(password))
            roles = set(await queries.roles_of(conn, person_id)) | {Role.ADMIN.value}
            await queries.set_roles(conn, person_id, sorted(roles))
        else:
            person_id = await _insert(conn, body)
        await write_audit(
            conn, actor_id=None, action="admin.created", subject_type="person", subject_id=email
        )
        person = await queries.person_by_id(conn, person_id)
    assert person is not None
    return person


class ImportRow(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    person: PersonCreate
    roles_given: bool


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
        if "roles" in values:
            values["roles"] = [
                r.strip().lower() for r in values["roles"].replace(",", ";").split(";") if r.strip()
            ]
        try:
            person = msgspec.convert(values, PersonCreate)
        except msgspec.ValidationError as exc:
            errors.append(ImportRowError(line=line, reason=_row_reason(exc, values)))
            continue
        weak = _password_problem(person)
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
        rows.append(ImportRow(line=line, person=person, roles_given="roles" in values))
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


def _differs(existing: ExistingPerson, person: PersonCreate) -> bool:
    wanted = {
        "display_name": person.display_name,
        "team": person.team.lower() if person.team else None,
        "location": person.location,
        "language": person.language,
        "job_title": person.job_title,
        "timezone": person.timezone,
    }
    return any(getattr(existing, k) != v for k, v in wanted.items()) or not existing.active


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
                    await _insert(conn, person)
                continue
            roles_changed = False
            if not dry_run and roles_given:
                roles_changed = await queries.set_roles(conn, found.id, [str(r) for r in person.roles])
            elif roles_given:
                roles_changed = set(await queries.roles_of(conn, found.id)) != {str(r) for r in person.roles}
            if _differs(found, person):
                if not dry_run:
                    values: dict[str, Any] = {
                        "display_name": person.display_name,
                        "team_id": await queries.team_id_for_name(conn, person.team) if person.team else None,
                        "location": person.location,
                        "language": person.language,
                        "job_title": person.job_title,
                        "timezone": person.timezone,
                        "active": True,
                    }
                    await queries.update_person(conn, found.id, values)
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


async def person_by_id(conn: asyncpg.Connection, person_id: int) -> PersonRead | None:
    """The person as the API shows them, read in the caller's transaction."""
    return await queries.person_by_id(conn, person_id)


async def person_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    """The internal id of the person with this public id (None if there is none)."""
    return await queries.person_id_by_public_id(conn, public_id)


async def people_page(
    db: Database, *, after_id: int | None, limit: int, team: str | None, active: bool | None
) -> list[tuple[int, PersonRead]]:
    """(internal id, person) of up to `limit` people after `after_id`, oldest first, optionally filtered."""
    async with db.connection() as conn:
        return await queries.people_page(conn, after_id=after_id, limit=limit, team=team, active=active)


async def get_person(db: Database, public_id: UUID) -> PersonRead:
    async with db.connection() as conn:
        person = await queries.person_by_public_id(conn, public_id)
    if person is None:
        raise NotFound(lazy_gettext("No such person"))
    return person


async def internal_id(db: Database, public_id: UUID) -> int | None:
    """The internal id behind a public one (None if there is no such person)."""
    async with db.connection() as conn:
        return await queries.person_id_by_public_id(conn, public_id)


async def teams(db: Database) -> list[TeamRead]:
    async with db.connection() as conn:
        return await queries.teams(conn)


async def create_team(db: Database, name: str) -> TeamRead:
    async with db.transaction() as conn:
        team = await queries.insert_team(conn, name)
    if team is None:
        raise Conflict(lazy_gettext("A team named %(name)s already exists", name=name))
    return team


# ---- single sign-on and provisioning: in the caller's transaction ----


async def sign_in_ref_by_email(conn: asyncpg.Connection, email: str) -> tuple[int, bool] | None:
    """(internal id, active) of the person with this e-mail (canonical form), None if nobody has it."""
    found = await queries.existing_people_by_email(conn, [email])
    record = found.get(canonical_email(email))
    return None if record is None else (record.id, record.active)


async def insert_person(conn: asyncpg.Connection, body: PersonCreate) -> int:
    """Create a person (and their team by name) in the caller's transaction; the caller audits it."""
    return await _insert(conn, body)


async def sync_person(
    conn: asyncpg.Connection,
    person_id: int,
    before: PersonRead,
    values: dict[str, Any],
    roles: Sequence[str] | None,
) -> list[str]:
    """Set the given fields (display_name, team, location, language) and, when `roles` is given, make the
    person's roles exactly these; `before` is the person as read in this transaction. Returns the names of
    what changed (the caller audits it)."""

    def differs(key: str) -> bool:
        old, new = getattr(before, key), values[key]
        # teams are named case-insensitively (find_or_create_team)
        return (old or "").lower() != (new or "").lower() if key == "team" else bool(old != new)

    changed = [k for k in sorted(values) if differs(k)]
    changes = {k: values[k] for k in changed}
    if "team" in changes:
        team = changes.pop("team")
        changes["team_id"] = await queries.team_id_for_name(conn, team) if team else None
    await queries.update_person(conn, person_id, changes)
    if roles is not None and await queries.set_roles(conn, person_id, sorted(set(roles))):
        changed.append("roles")
    return changed
