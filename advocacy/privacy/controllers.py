"""Export my data, erase my account; admins can erase a person on request."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalCacheDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.people.service import person_id_by_public_id
from advocacy.privacy import service
from advocacy.privacy.service import DataExport, DataInventory


class ErasureConfirmation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Erasure cannot be undone, so the caller says so explicitly."""

    confirm: Literal["erase"]


class MyDataController(Controller):
    path = "/api/v1/me"
    tags = ["privacy"]
    guards = [ANY_PERSON]

    @get("/export", operation_id="exportMyData")
    async def export(self, db: DbDep, principal: PrincipalDep) -> DataExport:
        """Everything this service holds about me, as JSON (secrets such as token hashes left out)."""
        return await service.export_person(db, principal.person_id)

    @get("/data", operation_id="getMyDataInventory")
    async def inventory(self, db: DbDep, principal: PrincipalDep) -> DataInventory:
        """What this service holds and tracks about me, kind by kind in plain words, with the number of records."""
        return await service.inventory(db, principal.person_id)

    @post("/erasure", operation_id="eraseMe", status_code=202)
    async def erase(
        self, data: JSONBody[ErasureConfirmation], db: DbDep, principal: PrincipalDep,
        principal_cache: PrincipalCacheDep,
    ) -> None:  # fmt: skip
        """Erase my account (body `{"confirm": "erase"}`): opt out, revoke every credential, and remove what names me. Cannot be undone."""
        await service.erase_person(db, principal.person_id, actor_id=principal.person_id)
        # this process stops honouring the credentials at once; others drop them on the NOTIFY
        principal_cache.forget_person(principal.person_id)


class PersonErasureController(Controller):
    path = "/api/v1/people"
    tags = ["privacy"]
    guards = [Allow(Role.ADMIN)]

    @post("/{person_id:uuid}/erasure", operation_id="erasePerson", status_code=202)
    async def erase(
        self,
        person_id: FromPath[UUID],
        data: JSONBody[ErasureConfirmation],
        db: DbDep,
        principal: PrincipalDep,
        principal_cache: PrincipalCacheDep,
    ) -> None:
        """Erase a person at their request (admins; body `{"confirm": "erase"}`)."""
        async with db.connection() as conn:
            internal = await person_id_by_public_id(conn, person_id)
        if internal is None:
            raise NotFound(lazy_gettext("No such person"))
        await service.erase_person(db, internal, actor_id=principal.person_id)
        principal_cache.forget_person(internal)
