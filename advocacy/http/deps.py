"""Dependencies every controller can ask for by name: db, settings, principal, limiter, cache."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException

from advocacy.auth.schemas import Principal
from advocacy.auth.service import PrincipalCache
from advocacy.db.pool import Database
from advocacy.http.ratelimit import RateLimiter
from advocacy.settings import Settings


def _db(state: State) -> Database:
    db: Database = state.db
    return db


def _settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def _limiter(state: State) -> RateLimiter:
    limiter: RateLimiter = state.limiter
    return limiter


def _cache(state: State) -> PrincipalCache:
    cache: PrincipalCache = state.principal_cache
    return cache


def _principal(request: Request[Any, Any, Any]) -> Principal:
    user = request.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Sign in first")
    principal: Principal = user
    return principal


DEPENDENCIES = {
    "db": Provide(_db, sync_to_thread=False),
    "settings": Provide(_settings, sync_to_thread=False),
    "limiter": Provide(_limiter, sync_to_thread=False),
    "principal_cache": Provide(_cache, sync_to_thread=False),
    "principal": Provide(_principal, sync_to_thread=False),
}

# Handlers name what they need with these, e.g. `db: DbDep` (Litestar 3 drops inferred dependencies).
DbDep = NamedDependency[Database]
SettingsDep = NamedDependency[Settings]
LimiterDep = NamedDependency[RateLimiter]
PrincipalCacheDep = NamedDependency[PrincipalCache]
PrincipalDep = NamedDependency[Principal]
