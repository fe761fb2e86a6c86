"""SQL for SCIM: the organisation's SCIM tokens, provisioned people (scim_users) and groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.auth.schemas import TokenRead
from advocacy.scim.schemas import Condition, ScimGroupRow, ScimUserRow

# --- tokens


async def insert_token(
    conn: asyncpg.Connection,
    *,
    name: str,
    token_hash: bytes,
    prefix: str,
    created_by: int,
    expires_at: datetime,
) -> UUID:
    public_id: UUID = await conn.fetchval(
        "INSERT INTO scim_tokens (name, token_hash, prefix, created_by, expires_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING public_id",
        name,
        token_hash,
        prefix,
        created_by,
        expires_at,
    )
    return public_id


async def tokens(conn: asyncpg.Connection) -> list[TokenRead]:
    rows = await conn.fetch(
        "SELECT public_id AS id, name, prefix, created_at, expires_at, last_used_at, revoked_at"
        " FROM scim_tokens ORDER BY id DESC"
    )
    return [msgspec.convert(dict(r), TokenRead) for r in rows]


async def revoke_token(conn: asyncpg.Connection, public_id: UUID) -> bool:
    status = await conn.execute(
        "UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE public_id = $1", public_id
    )
    return bool(status.endswith(" 1"))


async def live_token(conn: asyncpg.Connection, token_hash: bytes) -> tuple[int, UUID] | None:
    """(id, public id) of the live token with this hash (not revoked, not expired), marked as used."""
    row = await conn.fetchrow(
        "UPDATE scim_tokens SET last_used_at = now()"
        " WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id, public_id",
        token_hash,
    )
    return None if row is None else (row["id"], row["public_id"])


# --- users

_USER_SELECT = """
    SELECT p.id AS person_id, p.public_id, p.email, p.display_name, p.job_title, p.language, p.active,
           u.user_name, u.external_id, u.attributes, u.created_at, greatest(u.updated_at, p.updated_at) AS updated_at,
           coalesce((SELECT jsonb_agg(jsonb_build_object('id', g.public_id, 'display', g.display_name)
                                      ORDER BY g.id)
                     FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id
                     WHERE m.person_id = p.id), '[]'::jsonb) AS groups
    FROM scim_users u JOIN people p ON p.id = u.person_id
"""

# The filter attributes SCIM callers may use, and the column each compares (advocacy.scim.filters).
_USER_COLUMNS = {
    "id": "p.public_id::text",
    "userName": "lower(u.user_name)",
    "externalId": "u.external_id",
    "displayName": "p.display_name",
    "emails": "canonical_email(p.email)",
    "active": "p.active",
}
_GROUP_COLUMNS = {
    "id": "g.public_id::text",
    "displayName": "g.display_name",
    "externalId": "g.external_id",
}


def _where(conditions: Sequence[Condition], columns: dict[str, str], first: int) -> tuple[str, list[Any]]:
    """A WHERE clause ANDing the conditions; columns come from the fixed maps above, values are parameters."""
    parts: list[str] = []
    values: list[Any] = []
    for condition in conditions:
        column = columns[condition.column]
        values.append(condition.value)
        slot = f"${first + len(values) - 1}"
        if condition.op == "eq":
            parts.append(f"{column} = {slot}")
        elif condition.op == "co":
            parts.append(f"strpos(lower({column}), lower({slot})) > 0")
        elif condition.op == "sw":
            parts.append(f"starts_with(lower({column}), lower({slot}))")
        else:
            raise ValueError(condition.op)
    return (" WHERE " + " AND ".join(parts)) if parts else "", values


def _user(record: asyncpg.Record) -> ScimUserRow:
    return msgspec.convert(dict(record), ScimUserRow)


async def user_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> ScimUserRow | None:
    record = await conn.fetchrow(_USER_SELECT + " WHERE p.public_id = $1", public_id)
    return _user(record) if record else None


async def user_by_person_id(conn: asyncpg.Connection, person_id: int) -> ScimUserRow | None:
    record = await conn.fetchrow(_USER_SELECT + " WHERE p.id = $1", person_id)
    return _user(record) if record else None


async def users_page(
    conn: asyncpg.Connection, conditions: Sequence[Condition], *, offset: int, limit: int
) -> tuple[int, list[ScimUserRow]]:
    where, values = _where(conditions, _USER_COLUMNS, 1)
    total: int = await conn.fetchval(
        "SELECT count(*) FROM scim_users u JOIN people p ON p.id = u.person_id" + where, *values
    )
    records = await conn.fetch(
        _USER_SELECT
        + where
        + f" ORDER BY u.created_at, p.id OFFSET ${len(values) + 1} LIMIT ${len(values) + 2}",
        *values,
        offset,
        limit,
    )
    return total, [_user(r) for r in records]


async def person_with_user_name(conn: asyncpg.Connection, user_name: str) -> int | None:
    person_id: int | None = await conn.fetchval(
        "SELECT person_id FROM scim_users WHERE lower(user_name) = lower($1)", user_name
    )
    return person_id


async def is_provisioned(conn: asyncpg.Connection, person_id: int) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM scim_users WHERE person_id = $1", person_id))


async def upsert_user(
    conn: asyncpg.Connection,
    person_id: int,
    *,
    user_name: str,
    external_id: str | None,
    attributes: dict[str, Any],
) -> None:
    await conn.execute(
        "INSERT INTO scim_users (person_id, user_name, external_id, attributes) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (person_id) DO UPDATE SET user_name = $2, external_id = $3, attributes = $4,"
        " updated_at = now()",
        person_id,
        user_name,
        external_id,
        attributes,
    )


async def delete_user(conn: asyncpg.Connection, person_id: int) -> None:
    await conn.execute("DELETE FROM scim_group_members WHERE person_id = $1", person_id)
    await conn.execute("DELETE FROM scim_users WHERE person_id = $1", person_id)


# --- groups

_GROUP_SELECT = """
    SELECT g.id, g.public_id, g.display_name, g.external_id, g.team_id, g.created_at, g.updated_at,
           coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.public_id,
                                                         'display', coalesce(m.display, p.display_name))
                                      ORDER BY m.added_at, p.id)
                     FROM scim_group_members m JOIN people p ON p.id = m.person_id
                     WHERE m.group_id = g.id), '[]'::jsonb) AS members
    FROM scim_groups g
"""


def _group(record: asyncpg.Record) -> ScimGroupRow:
    return msgspec.convert(dict(record), ScimGroupRow)


async def group_by_public_id(conn: asyncpg.Connection, public_id: UUID) -> ScimGroupRow | None:
    record = await conn.fetchrow(_GROUP_SELECT + " WHERE g.public_id = $1", public_id)
    return _group(record) if record else None


async def group_by_id(conn: asyncpg.Connection, group_id: int) -> ScimGroupRow:
    record = await conn.fetchrow(_GROUP_SELECT + " WHERE g.id = $1", group_id)
    assert record is not None
    return _group(record)


async def groups_page(
    conn: asyncpg.Connection, conditions: Sequence[Condition], *, offset: int, limit: int
) -> tuple[int, list[ScimGroupRow]]:
    where, values = _where(conditions, _GROUP_COLUMNS, 1)
    total: int = await conn.fetchval("SELECT count(*) FROM scim_groups g" + where, *values)
    records = await conn.fetch(
        _GROUP_SELECT + where + f" ORDER BY g.id OFFSET ${len(values) + 1} LIMIT ${len(values) + 2}",
        *values,
        offset,
        limit,
    )
    return total, [_group(r) for r in records]


async def group_with_name(conn: asyncpg.Connection, display_name: str) -> int | None:
    group_id: int | None = await conn.fetchval(
        "SELECT id FROM scim_groups WHERE lower(display_name) = lower($1)", display_name
    )
    return group_id


async def insert_group(
    conn: asyncpg.Connection, *, display_name: str, external_id: str | None, team_id: int | None
) -> int:
    group_id: int = await conn.fetchval(
        "INSERT INTO scim_groups (display_name, external_id, team_id) VALUES ($1, $2, $3) RETURNING id",
        display_name,
        external_id,
        team_id,
    )
    return group_id


async def update_group(
    conn: asyncpg.Connection,
    group_id: int,
    *,
    display_name: str,
    external_id: str | None,
    team_id: int | None,
) -> None:
    await conn.execute(
        "UPDATE scim_groups SET display_name = $2, external_id = $3, team_id = $4, updated_at = now()"
        " WHERE id = $1",
        group_id,
        display_name,
        external_id,
        team_id,
    )


async def delete_group(conn: asyncpg.Connection, group_id: int) -> list[int]:
    """Delete the group; returns the people who were in it."""
    members = await member_ids(conn, group_id)
    await conn.execute("DELETE FROM scim_groups WHERE id = $1", group_id)
    return members


async def member_ids(conn: asyncpg.Connection, group_id: int) -> list[int]:
    return [
        r["person_id"]
        for r in await conn.fetch("SELECT person_id FROM scim_group_members WHERE group_id = $1", group_id)
    ]


async def set_members(
    conn: asyncpg.Connection, group_id: int, members: Sequence[tuple[int, str | None]]
) -> list[int]:
    """Make the group's members exactly these (person id, label as sent); returns everyone who joined or
    left."""
    before = set(await member_ids(conn, group_id))
    after = {person_id for person_id, _ in members}
    await conn.execute(
        "DELETE FROM scim_group_members WHERE group_id = $1 AND NOT (person_id = ANY($2::bigint[]))",
        group_id,
        list(after),
    )
    await conn.execute(
        "INSERT INTO scim_group_members (group_id, person_id, display)"
        " SELECT $1, m.person_id, m.display FROM unnest($2::bigint[], $3::text[]) AS m(person_id, display)"
        " ON CONFLICT (group_id, person_id) DO UPDATE SET display = EXCLUDED.display",
        group_id,
        [person_id for person_id, _ in members],
        [display for _, display in members],
    )
    await conn.execute("UPDATE scim_groups SET updated_at = now() WHERE id = $1", group_id)
    return sorted(before ^ after)


async def provisioned_people(conn: asyncpg.Connection, public_ids: Sequence[UUID]) -> dict[UUID, int]:
    """Internal ids of the provisioned people (SCIM users) with these public ids."""
    rows = await conn.fetch(
        "SELECT p.public_id, p.id FROM people p JOIN scim_users u ON u.person_id = p.id"
        " WHERE p.public_id = ANY($1::uuid[])",
        list(public_ids),
    )
    return {r["public_id"]: r["id"] for r in rows}


async def groups_of_person(
    conn: asyncpg.Connection, person_id: int
) -> list[tuple[tuple[str, str | None], int | None]]:
    """((display name, external id), team id) of the person's groups, the most recently joined first."""
    rows = await conn.fetch(
        "SELECT g.display_name, g.external_id, g.team_id"
        " FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id"
        " WHERE m.person_id = $1 ORDER BY m.added_at DESC, g.id DESC",
        person_id,
    )
    return [((r["display_name"], r["external_id"]), r["team_id"]) for r in rows]
