"""Decisions about people: creating, updating, roles, and the CSV import with its dry run.

Other domains read people through these functions; their SQL may join only the read views this domain
offers (migration 0260): `person_refs` and `team_refs`, a person's or a team's internal and public id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.ambassadors.service import OPTED_OUT_JOB, withdraw_consent
from advocacy.audit.service import write_audit
from advocacy.auth.passwords import hash_password
from advocacy.auth.service import PrincipalCache, revoke_all_credentials
from advocacy.core.emails import canonical_email
from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound
from advocacy.core.i18n import LazyText, lazy_gettext
from advocacy.core.roles import Role
from advocacy.db.pool import Database
from advocacy.identity.policy import password_problem
from advocacy.outbox.service import enqueue
from advocacy.people import queries
from advocacy.people.schemas import (
    ExistingPerson,
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


async def audience_of(conn: asyncpg.Connection, person_id: int) -> PersonAudience | None:
    """The person's team, location and language, as content audiences match them (None: no such person)."""
    return await queries.audience_of(conn, person_id)


async def team_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Internal ids of the teams with these public ids (unknown ones are absent)."""
    return await queries.team_ids_by_public_ids(conn, public_ids)


async def team_id_of(conn: asyncpg.Connection, person_id: int) -> int | None:
    """The person's team (None when they have none)."""
    return await queries.team_id_of(conn, person_id)


async def person_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Internal ids of the people with these public ids (unknown ones are absent)."""
    return await queries.person_ids_by_public_ids(conn, public_ids)


async def people_by_email(conn: asyncpg.Connection, emails: list[str]) -> dict[str, ExistingPerson]:
    """The people with these e-mails, by canonical e-mail (unknown ones are absent)."""
    return await queries.existing_people_by_email(conn, emails)


def admin_password_problem(person: PersonCreate) -> LazyText | None:
    """A password an admin sets follows the policy a person's own choice does."""
    if person.password is None:
        return None
    return password_problem(person.password, email=person.email, display_name=person.display_name)


async def create_person(db: Database, body: PersonCreate, *, actor_id: int | None) -> PersonRead:
    weak = admin_password_problem(body)
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
    """The one way a person is switched off (PATCH /people/{id}, the people CSV's `active` column and SCIM
    all call it): inactive, and at once every web session ended and every API token revoked, so nothing of
    theirs comes back to life if they are switched on again; opted out (off every board, no more tracking,
    connected accounts revoked by the opt-out job). Nothing is erased: their history stays as the privacy
    rules keep it (advocacy/privacy erases on request). Audited. False when they were already inactive."""
    was_active = await queries.set_inactive(conn, person_id)
    await revoke_all_credentials(conn, person_id)
    if await withdraw_consent(conn, person_id):
        await enqueue(conn, OPTED_OUT_JOB, {"person_id": person_id})
    if was_active:
        await write_audit(
            conn,
            actor_id=actor_id,
            action="person.deactivated",
            subject_type="person",
            subject_id=str(person_id),
        )
    return was_active


async def person_ids_by_email(conn: asyncpg.Connection, emails: list[str]) -> dict[str, int]:
    """Internal ids of the people with these addresses, by canonical address (advocacy.core.emails)."""
    return {key: row.id for key, row in (await queries.existing_people_by_email(conn, emails)).items()}


async def change_person(
    conn: asyncpg.Connection,
    person_id: int,
    values: dict[str, Any],
    *,
    email: str | None = None,
    active: bool | None = None,
    actor_id: int | None,
) -> None:
    """Change a person's columns in the caller's transaction (provisioning): another person's address is a
    Conflict; switching off goes through deactivate()."""
    if email is not None:
        taken = await queries.existing_people_by_email(conn, [email])
        holder = taken.get(canonical_email(email))
        if holder is not None and holder.id != person_id:
            raise Conflict(lazy_gettext("A person with the e-mail %(email)s already exists", email=email))
        await queries.set_email(conn, person_id, email)
    await queries.update_person(conn, person_id, values)
    if active is False:
        await deactivate(conn, person_id, actor_id=actor_id)
    elif active is True:
        await queries.update_person(conn, person_id, {"active": True})


async def set_team_by_name(conn: asyncpg.Connection, person_id: int, team: str | None) -> None:
    """Put the person in the team of this name (made if missing), or in none."""
    team_id = await queries.team_id_for_name(conn, team) if team else None
    await queries.update_person(conn, person_id, {"team_id": team_id})


async def team_id_for_name(conn: asyncpg.Connection, name: str) -> int:
    """The team of this name (compared without case), made if there is none yet."""
    return await queries.team_id_for_name(conn, name)


async def set_roles(conn: asyncpg.Connection, person_id: int, roles: Sequence[str]) -> bool:
    """Make the person's roles exactly these (the caller audits); whether anything changed."""
    return await queries.set_roles(conn, person_id, roles)


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
