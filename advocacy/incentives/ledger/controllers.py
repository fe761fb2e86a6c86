"""Ledger API: my points (balance, how they are earned) and their history; HR's kudos."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from redis.asyncio import Redis

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id, published_page
from advocacy.incentives.ledger import service
from advocacy.incentives.ledger.schemas import HistoryEntry, KudosCreate, PointsSummary

# the component name this page was published under, before HistoryEntry moved here
HistoryPage = Annotated[Page[HistoryEntry], published_page("advocacy.incentives.schemas.HistoryEntry")]


def _redis(state: State) -> Redis:
    redis: Redis = state.redis
    return redis


class MyPointsController(Controller):
    path = "/api/v1/me"
    tags = ["incentives"]
    guards = [ANY_PERSON]

    @get("/points", operation_id="getMyPoints")
    async def points(self, db: DbDep, principal: PrincipalDep) -> PointsSummary:
        """My balance and how points are earned (and why some networks earn none)."""
        return await service.summary(db, principal.person_id, principal.language)

    @get("/points/history", operation_id="getMyPointsHistory")
    async def history(
        self, db: DbDep, principal: PrincipalDep, limit: Limit = 50, cursor: Cursor = None
    ) -> HistoryPage:
        """My points, newest first, each with its reason."""
        return await page_by_id(
            cursor,
            limit,
            lambda before_id, n: service.history(
                db, principal.person_id, principal.language, before_id=before_id, limit=n
            ),
        )


class KudosController(Controller):
    path = "/api/v1/points"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @post("/kudos", operation_id="giveKudos")
    async def kudos(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[KudosCreate],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
    ) -> HistoryEntry:
        """Give an ambassador points with a reason."""
        entry = await service.kudos(
            db, _redis(request.app.state), settings.redis_namespace, data, principal.person_id
        )
        return service.history_entry(entry, principal.language)
