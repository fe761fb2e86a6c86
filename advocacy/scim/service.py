"""SCIM decisions: the organisation's SCIM tokens, and provisioning people and groups (teams and roles)
through the people service, so that a person switched off by SCIM goes the one way every deactivation goes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from scim2_models import (
    Context,
    Group,
    InvalidValueException,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    Resource,
    UniquenessException,
)

from advocacy.audit.service import write_audit
from advocacy.auth.schemas import Principal, ScimClient, TokenCreated, TokenRead
from advocacy.core.emails import canonical_email
from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.roles import Role
from advocacy.db.pool import Database
from advocacy.identity.sso.service import sso_settings
from advocacy.people import service as people
from advocacy.people.schemas import PersonCreate
from advocacy.scim import queries
from advocacy.scim.resources import (
    PLACEHOLDER_DOMAIN,
    POLICY,
    USER_MODEL,
    group_data,
    person_fields,
    read,
    stored_attributes,
    user_data,
)
from advocacy.scim.schemas import Condition, ScimGroupRow, ScimTokenCreate, ScimUserRow

SCIM_TOKEN_PREFIX = "scim_"  # noqa: S105 - a prefix, not a secret


def _hash(token: str) -> bytes:
    # 256-bit random tokens: a fast hash is enough (nothing to guess from a dictionary)
    return hashlib.sha256(token.encode()).digest()


# --- tokens


async def create_token(db: Database, principal: Principal, body: ScimTokenCreate) -> TokenCreated:
    token = SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[: len(SCIM_TOKEN_PREFIX) + 6]
    expires_at = datetime.now(UTC) + timedelta(days=body.expires_in_days)
    async with db.transaction() as conn:
        public_id = await queries.insert_token(
            conn,
            name=body.name,
            token_hash=_hash(token),
            prefix=prefix,
            created_by=principal.person_id,
            expires_at=expires_at,
        )
        await write_audit(
            conn,
            actor_id=principal.person_id,
            action="scim_token.created",
            subject_type="scim_token",
            subject_id=str(public_id),
            detail={"name": body.name},
        )
    return TokenCreated(id=public_id, name=body.name, token=token, prefix=prefix, expires_at=expires_at)


async def tokens(db: Database) -> list[TokenRead]:
    async with db.connection() as conn:
        return await queries.tokens(conn)


async def revoke_token(db: Database, principal: Principal, token_id: UUID) -> None:
    async with db.transaction() as conn:
        if not await queries.revoke_token(conn, token_id):
            raise NotFound(lazy_gettext("There is no SCIM token with this id"))
        await write_audit(
            conn,
            actor_id=principal.person_id,
            action="scim_token.revoked",
            subject_type="scim_token",
            subject_id=str(token_id),
        )


async def client_for_token(db: Database, token: str) -> ScimClient | None:
    """The SCIM client holding this token; None when it is unknown, expired or revoked. Never cached: a
    revocation holds from the next request on, on every replica."""
    async with db.connection() as conn:
        found = await queries.live_token(conn, _hash(token))
    return None if found is None else ScimClient(token_id=found[0], token_public_id=found[1])


async def _audit(conn: asyncpg.Connection, client: ScimClient, action: str, kind: str, subject: UUID) -> None:
    await write_audit(
        conn,
        actor_id=None,
        action=action,
        subject_type=kind,
        subject_id=str(subject),
        detail={"scim_token": str(client.token_public_id)},
    )


def check_version(data: dict[str, Any], if_match: str | None) -> None:
    """RFC 7644 section 3.14: a write that names a version other than the current one changes nothing."""
    if if_match is None or if_match.strip() == "*":
        return
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if data["meta"]["version"].removeprefix("W/") not in wanted:
        raise PreconditionFailedException(detail="The resource changed since that version (If-Match)")


# --- users


async def get_user(db: Database, public_id: UUID) -> ScimUserRow:
    async with db.connection() as conn:
        return await _user(conn, public_id)


async def _user(conn: asyncpg.Connection, public_id: UUID) -> ScimUserRow:
    row = await queries.user_by_public_id(conn, public_id)
    if row is None:
        raise NotFoundException(detail=f"No User {public_id}")
    return row


async def users(
    db: Database, conditions: list[Condition], *, offset: int, limit: int
) -> tuple[int, list[ScimUserRow]]:
    async with db.connection() as conn:
        return await queries.users_page(conn, conditions, offset=offset, limit=limit)


async def _apply_user(conn: asyncpg.Connection, user: Any, person_id: int | None) -> int:
    """Make the person (a new one when `person_id` is None) what the User says; returns their id."""
    user_name = (user.user_name or "").strip()
    if not user_name:
        raise InvalidValueException(detail="userName is required")
    holder = await queries.person_with_user_name(conn, user_name)
    if holder is not None and holder != person_id:
        raise UniquenessException(detail=f"userName {user_name!r} is taken")
    fields = person_fields(user)
    values: dict[str, Any] = {"display_name": fields.display_name, "job_title": fields.job_title}
    if fields.language:
        values["language"] = fields.language
    if person_id is None:
        email = fields.email or f"scim-{secrets.token_hex(12)}{PLACEHOLDER_DOMAIN}"
        person_id = (await people.person_ids_by_email(conn, [email])).get(canonical_email(email))
        if person_id is not None and await queries.is_provisioned(conn, person_id):
            raise UniquenessException(detail=f"A User with the e-mail {email} exists")
        if person_id is None:  # else someone imported or created before SCIM was on: they are taken over
            body = PersonCreate(
                email=email, display_name=fields.display_name, language="fr", roles=[Role.EMPLOYEE]
            )
            person_id = await people.insert_person(conn, body)
        await people.change_person(conn, person_id, values, email=email, active=fields.active, actor_id=None)
    else:
        await people.change_person(
            conn, person_id, values, email=fields.email or None, active=fields.active, actor_id=None
        )
    await queries.upsert_user(
        conn, person_id, user_name=user_name, external_id=user.external_id, attributes=stored_attributes(user)
    )
    return person_id


async def create_user(db: Database, client: ScimClient, payload: Any) -> ScimUserRow:
    user = read(USER_MODEL, payload, Context.RESOURCE_CREATION_REQUEST)
    async with db.transaction() as conn:
        person_id = await _apply_user(conn, user, None)
        row = await queries.user_by_person_id(conn, person_id)
        assert row is not None
        await _audit(conn, client, "scim.user.created", "person", row.public_id)
    return row


async def replace_user(
    db: Database, client: ScimClient, public_id: UUID, payload: Any, *, base_url: str, if_match: str | None
) -> ScimUserRow:
    user = read(USER_MODEL, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    async with db.transaction() as conn:
        return await _write_user(conn, client, public_id, user, base_url=base_url, if_match=if_match)


async def patch_user(
    db: Database, client: ScimClient, public_id: UUID, payload: Any, *, base_url: str, if_match: str | None
) -> ScimUserRow:
    patch = read(PatchOp[USER_MODEL], payload, Context.RESOURCE_PATCH_REQUEST)
    async with db.transaction() as conn:
        data = user_data(await _user(conn, public_id), base_url)
        check_version(data, if_match)
        user = read(USER_MODEL, data, Context.DEFAULT)
        patch.patch(user, scim_policy=POLICY)
        return await _write_user(conn, client, public_id, user, base_url=base_url, if_match=None)


async def _write_user(
    conn: asyncpg.Connection,
    client: ScimClient,
    public_id: UUID,
    user: Any,
    *,
    base_url: str,
    if_match: str | None,
) -> ScimUserRow:
    current = await _user(conn, public_id)
    check_version(user_data(current, base_url), if_match)
    await _apply_user(conn, user, current.person_id)
    await _audit(conn, client, "scim.user.changed", "person", public_id)
    row = await queries.user_by_person_id(conn, current.person_id)
    assert row is not None
    return row


async def delete_user(
    db: Database, client: ScimClient, public_id: UUID, *, base_url: str, if_match: str | None
) -> None:
    """The provider no longer manages them: the person is switched off (deactivate: sessions, tokens,
    opt-out) and leaves SCIM; their history stays as the privacy rules keep it."""
    async with db.transaction() as conn:
        current = await _user(conn, public_id)
        check_version(user_data(current, base_url), if_match)
        await people.deactivate(conn, current.person_id, actor_id=None)
        await queries.delete_user(conn, current.person_id)
        await _audit(conn, client, "scim.user.deleted", "person", public_id)


# --- groups


async def group_roles(db: Database, conn: asyncpg.Connection) -> dict[str, set[str]]:
    """The group -> role table single sign-on uses too (advocacy/identity/sso, organisation settings), as
    roles by group: a SCIM group matches a row by its displayName or its externalId (Entra ID's object id,
    which is what its groups claim carries)."""
    table: dict[str, set[str]] = {}
    for row in (await sso_settings(db, conn)).group_roles:
        table.setdefault(row.group, set()).add(row.role.value)
    return table


def _roles_named(table: dict[str, set[str]], names: tuple[str, str | None]) -> set[str]:
    return set().union(*(table.get(name, set()) for name in names if name))


async def get_group(db: Database, public_id: UUID) -> ScimGroupRow:
    async with db.connection() as conn:
        return await _group(conn, public_id)


async def _group(conn: asyncpg.Connection, public_id: UUID) -> ScimGroupRow:
    row = await queries.group_by_public_id(conn, public_id)
    if row is None:
        raise NotFoundException(detail=f"No Group {public_id}")
    return row


async def groups(
    db: Database, conditions: list[Condition], *, offset: int, limit: int
) -> tuple[int, list[ScimGroupRow]]:
    async with db.connection() as conn:
        return await queries.groups_page(conn, conditions, offset=offset, limit=limit)


async def _apply_group(db: Database, conn: asyncpg.Connection, group: Any, group_id: int | None) -> int:
    """Make the group (a new one when `group_id` is None) what the Group says, and its members' team and
    roles follow; returns its id. A group the group -> role table names gives roles, any other is a team."""
    name = (group.display_name or "").strip()
    if not name:
        raise InvalidValueException(detail="displayName is required")
    holder = await queries.group_with_name(conn, name)
    if holder is not None and holder != group_id:
        raise UniquenessException(detail=f"A Group named {name!r} exists")
    table = await group_roles(db, conn)
    role_group = bool(_roles_named(table, (name, group.external_id)))
    team_id = None if role_group else await people.team_id_for_name(conn, name)
    if group_id is None:
        group_id = await queries.insert_group(
            conn, display_name=name, external_id=group.external_id, team_id=team_id
        )
    else:
        await queries.update_group(
            conn, group_id, display_name=name, external_id=group.external_id, team_id=team_id
        )
    members = group.members or []
    wanted = {}
    for member in members:
        try:
            wanted[UUID(str(member.value))] = member.display
        except ValueError:
            raise InvalidValueException(detail=f"members: {member.value!r} is no User id") from None
    found = await queries.provisioned_people(conn, list(wanted))
    if missing := [str(u) for u in wanted if u not in found]:
        raise InvalidValueException(detail="members: no User " + ", ".join(missing))
    changed = await queries.set_members(
        conn, group_id, [(found[u], display) for u, display in wanted.items()]
    )
    for person_id in sorted(set(changed) | set(found.values())):
        left = person_id not in found.values()
        await _follow_groups(conn, person_id, table, left_team=left and team_id is not None)
    return group_id


async def _follow_groups(
    conn: asyncpg.Connection, person_id: int, table: dict[str, set[str]], *, left_team: bool = False
) -> None:
    """A member's team is their latest team group's (someone who left their last team group has none; a
    team given by the API or the CSV stays while no team group says otherwise); their roles are the
    table's for their groups, when the table names any group: the provider is then the source of the roles
    of the people it provisions."""
    memberships = await queries.groups_of_person(conn, person_id)
    team = next((names[0] for names, team_id in memberships if team_id is not None), None)
    if team is not None or left_team:
        await people.set_team_by_name(conn, person_id, team)
    if table:
        roles = {Role.EMPLOYEE.value}.union(*(_roles_named(table, names) for names, _ in memberships))
        await people.set_roles(conn, person_id, sorted(roles))


async def create_group(db: Database, client: ScimClient, payload: Any) -> ScimGroupRow:
    group = read(Group, payload, Context.RESOURCE_CREATION_REQUEST)
    async with db.transaction() as conn:
        group_id = await _apply_group(db, conn, group, None)
        row = await queries.group_by_id(conn, group_id)
        await _audit(conn, client, "scim.group.created", "scim_group", row.public_id)
    return row


async def replace_group(
    db: Database, client: ScimClient, public_id: UUID, payload: Any, *, base_url: str, if_match: str | None
) -> ScimGroupRow:
    group = read(Group, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    async with db.transaction() as conn:
        return await _write_group(db, conn, client, public_id, group, base_url=base_url, if_match=if_match)


async def patch_group(
    db: Database, client: ScimClient, public_id: UUID, payload: Any, *, base_url: str, if_match: str | None
) -> ScimGroupRow:
    patch = read(PatchOp[Group], payload, Context.RESOURCE_PATCH_REQUEST)
    async with db.transaction() as conn:
        data = group_data(await _group(conn, public_id), base_url)
        check_version(data, if_match)
        group: Resource[Any] = read(Group, data, Context.DEFAULT)
        patch.patch(group, scim_policy=POLICY)
        return await _write_group(db, conn, client, public_id, group, base_url=base_url, if_match=None)


async def _write_group(
    db: Database,
    conn: asyncpg.Connection,
    client: ScimClient,
    public_id: UUID,
    group: Any,
    *,
    base_url: str,
    if_match: str | None,
) -> ScimGroupRow:
    current = await _group(conn, public_id)
    check_version(group_data(current, base_url), if_match)
    await _apply_group(db, conn, group, current.id)
    await _audit(conn, client, "scim.group.changed", "scim_group", public_id)
    return await queries.group_by_id(conn, current.id)


async def delete_group(
    db: Database, client: ScimClient, public_id: UUID, *, base_url: str, if_match: str | None
) -> None:
    """The group goes (its team stays, with whoever else is in it); its members' team and roles follow."""
    async with db.transaction() as conn:
        current = await _group(conn, public_id)
        check_version(group_data(current, base_url), if_match)
        table = await group_roles(db, conn)
        for person_id in await queries.delete_group(conn, current.id):
            await _follow_groups(conn, person_id, table, left_team=current.team_id is not None)
        await _audit(conn, client, "scim.group.deleted", "scim_group", public_id)
