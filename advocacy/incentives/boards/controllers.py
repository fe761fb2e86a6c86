"""Boards API: the top of a board and my rank on it, both named by the same query parameters."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from redis.asyncio import Redis

from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON
from advocacy.incentives.boards import service
from advocacy.incentives.boards.profile_cache import BoardProfileCache
from advocacy.incentives.boards.schemas import Board, BoardSelector, MyRank, Period, Scope

BoardSelectorDep = NamedDependency[BoardSelector]


def board_selector(
    principal: PrincipalDep,
    period: Annotated[Period, QueryParameter(description="week, month, quarter or all")] = "month",
    board_scope: Annotated[Scope, QueryParameter(name="scope", description="org, team or campaign")] = "org",
    key: Annotated[
        str | None,
        QueryParameter(max_length=10, description="2026-W47, 2026-11 or 2026-Q4; default: the current one"),
    ] = None,
    team: Annotated[UUID | None, QueryParameter(description="a team's id; default: mine")] = None,
    campaign: Annotated[
        str | None,
        QueryParameter(
            min_length=1,
            max_length=80,
            description="the campaign of a campaign board: its id (UUID) or its slug",
        ),
    ] = None,
) -> BoardSelector:
    """The query parameters that name a board (every board route takes them).

    It takes `principal` only to come last in the chain of dependencies (see advocacy/http/deps.py): on
    its own it would be resolved beside `db`, and two at one level cost a task group per request."""
    return BoardSelector(period=period, scope=board_scope, key=key, team=team, campaign=campaign)


def _redis(state: State) -> Redis:
    redis: Redis = state.redis
    return redis


def _profiles(state: State) -> BoardProfileCache | None:
    cache: BoardProfileCache | None = getattr(state, "board_profiles", None)
    return cache


class BoardController(Controller):
    path = "/api/v1/boards"
    tags = ["incentives"]
    guards = [ANY_PERSON]
    dependencies = {"selector": Provide(board_selector, sync_to_thread=False)}

    @get("/", operation_id="getBoard")
    async def top(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
        selector: BoardSelectorDep,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> Board:
        """The top N of a board as I may see it, and my own rank."""
        return await service.board_top(
            db, _redis(request.app.state), settings.redis_namespace, principal.person_id, selector,
            limit=limit, cache=_profiles(request.app.state),
        )  # fmt: skip

    @get("/me", operation_id="getMyRank")
    async def me(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
        selector: BoardSelectorDep,
        around: Annotated[int, QueryParameter(ge=0, le=10)] = 2,
    ) -> MyRank:
        """My rank on a board and the people just above and below me."""
        return await service.my_rank(
            db, _redis(request.app.state), settings.redis_namespace, principal.person_id, selector,
            around=around, cache=_profiles(request.app.state),
        )  # fmt: skip
