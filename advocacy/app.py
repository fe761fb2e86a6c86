"""create_app(settings) -> Litestar: middleware, routes, the lifespan that owns the pools."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from redis.asyncio import Redis

from advocacy.auth.controllers import SessionController, TokenController
from advocacy.auth.service import IDENTITY_CHANNEL, PrincipalCache, forget_changed_identity
from advocacy.charter.cache import CharterCache, follow_charter_activations
from advocacy.charter.controllers import (
    CharterController,
    CharterTrainingController,
    CharterVersionController,
)
from advocacy.connectors.controllers import ConnectionsController, PublicationController
from advocacy.content.feed.controllers import forget_after_writes
from advocacy.content.routes import CONTENT_HANDLERS
from advocacy.content.wiring import storage_from_settings
from advocacy.db.notifications import follow_notifications
from advocacy.db.pool import Database
from advocacy.http.api_docs import OfflineSwaggerPlugin, swagger_assets_router
from advocacy.http.deps import DEPENDENCIES
from advocacy.http.guards import declare_access_in_opt, declared_access
from advocacy.http.idempotency import IdempotencyMiddleware
from advocacy.http.metrics import HttpMetrics
from advocacy.http.middleware import (
    AuthenticationMiddleware,
    RequestContextMiddleware,
    answer_headers,
)
from advocacy.http.openapi import MEDIA_TYPES_OPT, ApiDocumentConfig, OperationFacts
from advocacy.http.problems import EXCEPTION_HANDLERS
from advocacy.http.ratelimit import RateLimiter
from advocacy.http.untrusted import UntrustedRequest, UrlCheckMiddleware
from advocacy.identity.controllers import IDENTITY_HANDLERS
from advocacy.identity.saml.service import Providers as SamlProviders
from advocacy.identity.sso.controllers import OrganisationSsoController
from advocacy.incentives.boards.profile_cache import BoardProfileCache
from advocacy.incentives.controllers import INCENTIVES_HANDLERS
from advocacy.links.controllers import CardPageController, follow_tracked_link
from advocacy.links.service import links_lifespan
from advocacy.outbox.controllers import OutboxController
from advocacy.people.controllers import MeController, PeopleController, TeamController
from advocacy.privacy.controllers import MyDataController, PersonErasureController
from advocacy.reach.controllers import REACH_HANDLERS
from advocacy.scim.controllers import SCIM_HANDLERS
from advocacy.settings import Settings
from advocacy.shares.controllers import SHARES_HANDLERS
from advocacy.system.controllers import SystemController
from advocacy.web.identity import IDENTITY_PAGES
from advocacy.web.pages import WEB_HANDLERS
from advocacy.web.saml import SAML_PAGES
from advocacy.web.sso import SSO_PAGES
from advocacy.web.templating import template_config
from content_library.feed.cache import CONTENT_CHANNEL, SHARES_CHANNEL, FeedCache

API_DOCS_PATH = "/api/docs"
WEB_DIR = Path(__file__).parent / "web"

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    SystemController,
    SessionController,
    TokenController,
    *IDENTITY_HANDLERS,
    OrganisationSsoController,
    MeController,
    PeopleController,
    TeamController,
    CharterController,
    CharterTrainingController,
    CharterVersionController,
    OutboxController,
    ConnectionsController,
    PublicationController,
    *REACH_HANDLERS,
    MyDataController,
    PersonErasureController,
    *SCIM_HANDLERS,
    *CONTENT_HANDLERS,
    *INCENTIVES_HANDLERS,
    *SHARES_HANDLERS,
    follow_tracked_link,
    CardPageController,
    *WEB_HANDLERS,
    *IDENTITY_PAGES,
    *SSO_PAGES,
    *SAML_PAGES,
]


def redis_client(settings: Settings) -> Redis:
    client: Redis = Redis.from_url(settings.redis_url)
    return client


def create_app(
    settings: Settings, *, extra_handlers: list[ControllerRouterHandler] | None = None
) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = await Database.connect(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        redis = redis_client(settings)
        app.state.db = db
        app.state.redis = redis
        app.state.storage = storage_from_settings(settings)
        app.state.limiter = RateLimiter(settings.redis_url, settings.redis_namespace)
        # A fresh cache per run of the app: nothing cached survives a restart of the lifespan.
        principals = app.state.principal_cache = PrincipalCache(settings.auth_cache_seconds)
        app.state.board_profiles = BoardProfileCache(app.state.principal_cache)
        feed_pages = app.state.feed_cache = FeedCache(settings.feed_cache_seconds)
        # What the pages keep of the feed's pages goes with them: their keys name this cache's generations.
        for derived in ("feed_results", "campaign_choices", "page_shells"):
            if hasattr(app.state, derived):
                delattr(app.state, derived)

        def content_changed(payload: str) -> None:
            # The organisation's row notifies on this channel too (advocacy.core.organisation).
            feed_pages.on_content_changed(payload)
            db.organisation.on_change(payload)

        follower = asyncio.create_task(
            follow_notifications(
                settings.database_url,
                {
                    IDENTITY_CHANNEL: lambda payload: forget_changed_identity(principals, payload),
                    CONTENT_CHANNEL: content_changed,
                    SHARES_CHANNEL: feed_pages.on_shares_changed,
                },
                [principals, feed_pages, db.organisation],
            )
        )
        app.state.charters = CharterCache()
        charter_follower = asyncio.create_task(
            follow_charter_activations(settings.database_url, app.state.charters, db)
        )
        try:
            yield
        finally:
            follower.cancel()
            charter_follower.cancel()
            await asyncio.gather(follower, charter_follower, return_exceptions=True)
            await db.close()
            await redis.aclose()

    declare_access_in_opt([*ROUTE_HANDLERS, *(extra_handlers or [])])
    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            *(extra_handlers or []),
            create_static_files_router(path="/static", directories=[WEB_DIR / "static"], guards=[], opt={}),
            swagger_assets_router(),
        ],
        lifespan=[lifespan, links_lifespan],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            RequestContextMiddleware(),
            UrlCheckMiddleware(),
            AuthenticationMiddleware(),
            IdempotencyMiddleware(),
        ],
        request_class=UntrustedRequest,
        before_send=[forget_after_writes, answer_headers(settings)],
        request_max_body_size=settings.max_body_bytes,
        logging_config=None,  # our JSON logs (advocacy/logs.py), configured by the process that serves
        openapi_config=ApiDocumentConfig(
            title="Advocacy API",
            version="1.0.0",
            description="Employee advocacy: content library, charter checks, shares, reach and recognition.",
            path=API_DOCS_PATH,
            render_plugins=[OfflineSwaggerPlugin(path="/", docs_path=API_DOCS_PATH)],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", description="Personal API token"),
                    "session": SecurityScheme(
                        type="apiKey", name="advocacy_session", security_scheme_in="cookie"
                    ),
                }
            ),
            security=[{"bearer": []}, {"session": []}],
        ),
        template_config=template_config(),
        state=State(
            {
                "settings": settings,
                "metrics": HttpMetrics(),
                # built on first use and kept across lifespans: loading the SAML key costs a fraction of a second
                "saml": SamlProviders(),
            }
        ),
    )
    app.state.allowed_methods = {
        route.path_format: ", ".join(sorted(route.methods))
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }
    refuse_undeclared_routes(app)
    if isinstance(app.openapi_config, ApiDocumentConfig):
        app.openapi_config.operations.update(
            (
                handler.operation_id,
                OperationFacts(
                    access=declared_access(handler),
                    media_types=tuple(handler.opt.get(MEDIA_TYPES_OPT, ())),
                ),
            )
            for _, handler in route_handlers(app)
            if isinstance(handler, HTTPRouteHandler) and isinstance(handler.operation_id, str)
        )
    return app


def route_handlers(app: Litestar) -> Iterator[tuple[str, BaseRouteHandler]]:
    """(path, handler) of every route: HTTP routes hold several handlers, raw ASGI routes (/l/{code}) one."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", None) or [getattr(route, "route_handler", None)]:
            if handler is not None:
                yield route.path, handler


def refuse_undeclared_routes(app: Litestar) -> None:
    """Every route must say who may call it; a route that does not is a bug caught at start-up."""
    undeclared = []
    for path, handler in route_handlers(app):
        if path.startswith((API_DOCS_PATH, "/static")):
            continue
        if handler.handler_name == "options_handler":  # Litestar's automatic CORS preflight answer
            continue
        if declared_access(handler) is None:
            undeclared.append(f"{path} ({handler.handler_name})")
    if undeclared:
        raise RuntimeError("routes without an Allow guard: " + ", ".join(undeclared))
