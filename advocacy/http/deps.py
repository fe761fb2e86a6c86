"""Dependencies every controller can ask for by name: db, settings, principal, limiter, caches."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException

from advocacy.auth.schemas import Principal
from advocacy.auth.service import PrincipalCache
from advocacy.charter.cache import CharterCache
from advocacy.core.i18n import N_
from advocacy.db.pool import Database
from advocacy.http.ratelimit import RateLimiter
from advocacy.settings import Settings

# Handlers name what they need with these, e.g. `db: DbDep` (Litestar 3 drops inferred dependencies).
DbDep = NamedDependency[Database]
SettingsDep = NamedDependency[Settings]
LimiterDep = NamedDependency[RateLimiter]
PrincipalCacheDep = NamedDependency[PrincipalCache]
PrincipalDep = NamedDependency[Principal]
CharterCacheDep = NamedDependency[CharterCache]

# The providers form a chain (each takes the previous one) on purpose: Litestar resolves independent
# dependencies of one level concurrently in an anyio task group, which costs far more per request than
# these attribute reads; a chain puts each in a batch of its own, resolved in sequence.


def _db(request: Request[Any, Any, Any]) -> Database:
    db: Database = request.app.state.db
    return db


def _settings(request: Request[Any, Any, Any], db: DbDep) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _limiter(request: Request[Any, Any, Any], settings: SettingsDep) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def _cache(request: Request[Any, Any, Any], limiter: LimiterDep) -> PrincipalCache:
    cache: PrincipalCache = request.app.state.principal_cache
    return cache


def signed_in(request: Request[Any, Any, Any]) -> Principal:
    """Who is calling (set by AuthenticationMiddleware); routes reach it behind a guard that admits people."""
    user = request.scope.get("user")
    if user is None:
        raise NotAuthorizedException(N_("Sign in first"))
    principal: Principal = user
    return principal


def _principal(request: Request[Any, Any, Any], principal_cache: PrincipalCacheDep) -> Principal:
    return signed_in(request)


def _charters(request: Request[Any, Any, Any], principal: PrincipalDep) -> CharterCache:
    # Last in the chain, so a route asking for it is one whose caller is signed in (every charter route is).
    charters: CharterCache = request.app.state.charters
    return charters


DEPENDENCIES = {
    "db": Provide(_db, sync_to_thread=False),
    "settings": Provide(_settings, sync_to_thread=False),
    "limiter": Provide(_limiter, sync_to_thread=False),
    "principal_cache": Provide(_cache, sync_to_thread=False),
    "principal": Provide(_principal, sync_to_thread=False),
    "charters": Provide(_charters, sync_to_thread=False),
}
