"""The charter as employees read it, and the versions compliance drafts and activates."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath

from advocacy.charter import service
from advocacy.charter.schemas import CharterDraftCreate, CharterRead
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow, Role


class CharterController(Controller):
    path = "/api/v1/charter"
    tags = ["charter"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getActiveCharter")
    async def active(self, db: DbDep) -> CharterRead:
        """The charter in force, to read before opting in."""
        return await service.active_charter(db)


class CharterVersionController(Controller):
    path = "/api/v1/charters"
    tags = ["charter"]
    guards = [Allow(Role.COMPLIANCE)]

    @get("/", operation_id="listCharters")
    async def list_versions(self, db: DbDep) -> list[CharterRead]:
        """Every charter version, newest first."""
        return await service.list_charters(db)

    @post("/", operation_id="createCharterDraft")
    async def create_draft(self, data: CharterDraftCreate, db: DbDep, principal: PrincipalDep) -> CharterRead:
        """Draft a new charter version."""
        return await service.create_draft(db, data, actor_id=principal.person_id)

    @post("/{version:int}/activate", operation_id="activateCharter", status_code=200)
    async def activate(self, version: FromPath[int], db: DbDep, principal: PrincipalDep) -> CharterRead:
        """Put a draft in force; a material change asks every ambassador to accept it again."""
        return await service.activate(db, version, actor_id=principal.person_id)
