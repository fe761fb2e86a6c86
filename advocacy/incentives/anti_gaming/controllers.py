"""Anti-gaming API (HR): flagged shares and the decision on each, and the thresholds that flag them."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id, published_page
from advocacy.incentives.anti_gaming import service
from advocacy.incentives.anti_gaming.schemas import AntiGaming, FlagDecision, FlagRead

# the component name this page was published under, before FlagRead moved here
FlagPage = Annotated[Page[FlagRead], published_page("advocacy.incentives.schemas.FlagRead")]


class FlagController(Controller):
    path = "/api/v1/points"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @get("/flags", operation_id="listShareFlags")
    async def flags(
        self,
        db: DbDep,
        status: Annotated[Literal["open", "cleared", "confirmed"] | None, QueryParameter()] = "open",
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> FlagPage:
        """Shares whose clicks look gamed, with their held click points."""
        return await page_by_id(
            cursor, limit, lambda after_id, n: service.flags(db, status=status, after_id=after_id, limit=n)
        )

    @post("/flags/{flag_id:uuid}/clear", operation_id="clearShareFlag", status_code=200)
    async def clear(
        self, flag_id: FromPath[UUID], data: JSONBody[FlagDecision], db: DbDep, principal: PrincipalDep
    ) -> FlagRead:
        """The clicks were genuine: release the held points."""
        return await service.decide_flag(
            db, flag_id, clear=True, actor_id=principal.person_id, note=data.note
        )

    @post("/flags/{flag_id:uuid}/confirm", operation_id="confirmShareFlag", status_code=200)
    async def confirm(
        self, flag_id: FromPath[UUID], data: JSONBody[FlagDecision], db: DbDep, principal: PrincipalDep
    ) -> FlagRead:
        """The clicks were gamed: the held points are never paid."""
        return await service.decide_flag(
            db, flag_id, clear=False, actor_id=principal.person_id, note=data.note
        )


class AntiGamingSettingsController(Controller):
    path = "/api/v1/organisation/anti-gaming"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @get("/", operation_id="getAntiGamingSettings")
    async def read(self, db: DbDep) -> AntiGaming:
        """The thresholds over which a share's clicks are flagged and their points held."""
        return await service.anti_gaming(db)

    @put("/", operation_id="setAntiGamingSettings")
    async def write(self, data: JSONBody[AntiGaming], db: DbDep, principal: PrincipalDep) -> AntiGaming:
        """Set the anti-gaming thresholds (they apply from the next clicks settled)."""
        return await service.set_anti_gaming(db, data, principal.person_id)
