"""SQL for people, teams and roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.ambassadors.schemas import Consent
from advocacy.ambassadors.sql import CONSENT_COLUMNS
from advocacy.core.emails import canonical_email
from advocacy.core.sql import update_columns
from advocacy.people.schemas import ExistingPerson, PersonAudience, PersonRead, PersonWithConsent, TeamRead

_PERSON = """
SELECT p.public_id AS id, p.email, p.display_name, t.name AS team, p.location, p.language,
       p.job_title, p.timezone, p.active, p.created_at,
       COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM person_roles r WHERE r.person_id = p.id),
                '{}') AS roles
FROM people p LEFT JOIN teams t ON t.id = p.team_id
"""


async def person_with_consent(conn: asyncpg.Connection, person_id: int) -> PersonWithConsent | None:
    """The person (PersonRead columns, and team_id) and their consent (CONSENT_COLUMNS) in one round trip."""
    row = await conn.fetchrow(
        _PERSON.replace("FROM people p", f", p.team_id, {CONSENT_COLUMNS} FROM people p", 1)
        + " LEFT JOIN ambassadors a ON a.person_id = p.id WHERE p.id = $1",
        person_id,
    )
    if row is None:
        return None
    values = dict(row)
    consent = {name: values.pop(name) for name in Consent.__struct_fields__}
    team_id = values.pop("team_id")
    return PersonWithConsent(
        person=msgspec.convert(values, PersonRead), team_id=team_id, consent=msgspec.convert(consent, Consent)
    )


async def person_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> PersonRead | None:
    row = await conn.fetchrow(_PERSON + " WHERE p.public_id = $1", public_id)
    return msgspec.convert(row, PersonRead) if row else None


async def person_by_id(conn: asyncpg.Connection, person_id: int) -> PersonRead | None:
    row = await conn.fetchrow(_PERSON + " WHERE p.id = $1", person_id)
    return msgspec.convert(row, PersonRead) if row else None


async def person_id_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> int | None:
    value: int | None = await conn.fetchval("SELECT id FROM people WHERE public_id = $1", public_id)
    return value


async def people_page(
    conn: asyncpg.Connection, *, after_id: int | None, limit: int, team: str | None, active: bool | None
) -> list[tuple[int, PersonRead]]:
    rows = await conn.fetch(
        "SELECT * FROM (" + _PERSON.replace("SELECT p.public_id", "SELECT p.id AS pk, p.public_id", 1) + ") x"
        " WHERE ($1::bigint IS NULL OR pk > $1) AND ($2::text IS NULL OR lower(team) = lower($2))"
        " AND ($3::boolean IS NULL OR active = $3) ORDER BY pk LIMIT $4",
        after_id,
        team,
        active,
        limit,
    )
    return [(r["pk"], msgspec.convert(r, PersonRead)) for r in rows]


async def team_id_for_name(conn: asyncpg.Connection, name: str) -> int:
    """The id of the team with this name, created if it does not exist yet."""
    team_id: int = await conn.fetchval(
        "WITH found AS (SELECT id FROM teams WHERE lower(name) = lower($1)),"
        " made AS (INSERT INTO teams (name) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM found)"
        " ON CONFLICT DO NOTHING RETURNING id)"
        " SELECT id FROM found UNION ALL SELECT id FROM made UNION ALL"
        " SELECT id FROM teams WHERE lower(name) = lower($1) LIMIT 1",
        name,
    )
    return team_id


async def insert_person(conn: asyncpg.Connection, values: dict[str, Any]) -> int:
    person_id: int = await conn.fetchval(
        "INSERT INTO people (email, display_name, team_id, location, language, job_title, timezone,"
        " password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        values["email"],
        values["display_name"],
        values.get("team_id"),
        values.get("location"),
        values.get("language", "fr"),
        values.get("job_title"),
        values.get("timezone", "Europe/Paris"),
        values.get("password_hash"),
    )
    return person_id


_UPDATABLE = ("display_name", "team_id", "location", "language", "job_title", "timezone", "active")


async def update_person(conn: asyncpg.Connection, person_id: int, values: dict[str, Any]) -> bool:
    """Update the given columns; returns whether anything changed."""
    return await update_columns(
        conn, "people", person_id, values, _UPDATABLE, touch=True, only_if_changed=True
    )


async def set_inactive(conn: asyncpg.Connection, person_id: int) -> bool:
    """Switch a person off; returns whether they were active."""
    status = await conn.execute(
        "UPDATE people SET active = false, updated_at = now() WHERE id = $1 AND active", person_id
    )
    return bool(status.endswith(" 1"))


async def set_email(conn: asyncpg.Connection, person_id: int, email: str) -> bool:
    status = await conn.execute(
        "UPDATE people SET email = $2, updated_at = now() WHERE id = $1 AND email IS DISTINCT FROM $2",
        person_id,
        email,
    )
    return bool(status.endswith(" 1"))


async def set_password_hash(conn: asyncpg.Connection, person_id: int, password_hash: str) -> None:
    await conn.execute(
        "UPDATE people SET password_hash = $2, updated_at = now() WHERE id = $1", person_id, password_hash
    )


async def roles_of(conn: asyncpg.Connection, person_id: int) -> list[str]:
    rows = await conn.fetch("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role", person_id)
    return [r["role"] for r in rows]


async def set_roles(conn: asyncpg.Connection, person_id: int, roles: Sequence[str]) -> bool:
    """Make the person's roles exactly these; returns whether anything changed."""
    before = set(await roles_of(conn, person_id))
    if before == set(roles):
        return False
    await conn.execute(
        "DELETE FROM person_roles WHERE person_id = $1 AND NOT (role = ANY($2::text[]))",
        person_id,
        list(roles),
    )
    await conn.execute(
        "INSERT INTO person_roles (person_id, role) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
        person_id,
        list(roles),
    )
    return True


async def existing_people_by_email(conn: asyncpg.Connection, emails: list[str]) -> dict[str, ExistingPerson]:
    rows = await conn.fetch(
        "SELECT p.id, canonical_email(p.email) AS email, p.display_name, p.team_id, lower(t.name) AS team,"
        " p.location, p.language, p.job_title, p.timezone, p.active"
        " FROM people p LEFT JOIN teams t ON t.id = p.team_id WHERE canonical_email(p.email) = ANY($1::text[])",
        [canonical_email(e) for e in emails],
    )
    return {r["email"]: msgspec.convert(dict(r), ExistingPerson) for r in rows}


async def teams(conn: asyncpg.Connection) -> list[TeamRead]:
    rows = await conn.fetch("SELECT public_id AS id, name FROM teams ORDER BY lower(name)")
    return [msgspec.convert(r, TeamRead) for r in rows]


async def insert_team(conn: asyncpg.Connection, name: str) -> TeamRead | None:
    row = await conn.fetchrow(
        "INSERT INTO teams (name) VALUES ($1) ON CONFLICT DO NOTHING RETURNING public_id AS id, name", name
    )
    return msgspec.convert(row, TeamRead) if row else None


async def audience_of(conn: asyncpg.Connection, person_id: int) -> PersonAudience | None:
    row = await conn.fetchrow(
        "SELECT team_id, lower(location) AS location, language FROM people WHERE id = $1", person_id
    )
    return msgspec.convert(row, PersonAudience) if row else None


async def team_id_of(conn: asyncpg.Connection, person_id: int) -> int | None:
    value: int | None = await conn.fetchval("SELECT team_id FROM people WHERE id = $1", person_id)
    return value


async def person_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    rows = await conn.fetch(
        "SELECT public_id, id FROM people WHERE public_id = ANY($1::uuid[])", list(public_ids)
    )
    return {r["public_id"]: r["id"] for r in rows}


async def team_ids_by_public_ids(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    rows = await conn.fetch(
        "SELECT public_id, id FROM teams WHERE public_id = ANY($1::uuid[])", list(public_ids)
    )
    return {r["public_id"]: r["id"] for r in rows}
