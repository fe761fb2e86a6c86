"""Every route of the app, called anonymously and with each single role, answers as its Allow guard declares.

The routes are read from create_app(), so a route added later is walked without touching this test.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Controller, Litestar, get
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from advocacy.app import API_DOCS_PATH, create_app, route_handlers
from advocacy.core.roles import Role
from advocacy.http.guards import ACCESS_OPT, Allow, declared_access
from advocacy.settings import Settings
from tests.factories import Factory, Someone

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
_SAFE = {"GET", "HEAD", "OPTIONS"}


def concrete_path(template: str) -> str:
    """The route's path with each parameter filled by a syntactically valid value of its type."""

    def fill(match: re.Match[str]) -> str:
        kind = match.group(2) or "str"
        if kind == "uuid":
            return str(uuid.uuid4())
        if kind in ("int", "float", "decimal"):
            return "999999"
        if kind in ("date",):
            return "2026-01-01"
        if kind in ("datetime",):
            return "2026-01-01T00:00:00Z"
        return "walk"

    return _PARAM.sub(fill, template)


def walked_routes(app: Litestar) -> list[tuple[str, str, HTTPRouteHandler]]:
    """(method, path template, handler) for every route except the docs, static files, /metrics and CORS
    preflights."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith((API_DOCS_PATH, "/static")):
            continue
        if route.path == "/metrics":  # no role: METRICS_TOKEN or loopback (tests/integration/hardening)
            continue
        for handler in route.route_handlers:
            if handler.handler_name == "options_handler":
                continue
            for method in sorted(handler.http_methods):
                found.append((method, route.path, handler))
    return found


def verdict(status: int, admitted: bool, anonymous: bool, *, page: bool = False) -> str | None:
    """What is wrong with this status for a caller the guard does (not) admit, or None when it is right.
    A web page refuses a signed-out reader by sending them to sign in (303), its way of saying 401."""
    if admitted:
        return None if status not in (401, 403) else f"admitted caller got {status}"
    expected = (303 if page else 401) if anonymous else 403
    return None if status == expected else f"refused caller got {status}, expected {expected}"


async def call(client: Any, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    kwargs: dict[str, Any] = {"headers": headers}
    if method not in _SAFE:
        kwargs["json"] = {}
    response = await client.request(method, path, follow_redirects=False, **kwargs)
    status: int = response.status_code
    return status, response.text[:200]


async def fit_for_the_walk(factory: Factory, people: dict[str, Someone]) -> dict[str, Someone]:
    """The walkers as the walk needs them: active, holding exactly their role, a live token, opted in.

    The walk calls every route, its own opt-out and erasure included; whoever such a call changed is
    opted in again or replaced by a fresh person with the same role.
    """
    async with factory.db.connection() as conn:
        rows = await conn.fetch(
            """
            SELECT p.id, p.active, coalesce(a.status = 'opted_in', false) AS opted_in,
                   EXISTS (SELECT 1 FROM api_tokens t WHERE t.person_id = p.id AND t.revoked_at IS NULL
                           AND t.expires_at > now()) AS has_token,
                   (SELECT coalesce(array_agg(r.role), '{}') FROM person_roles r WHERE r.person_id = p.id)
                       AS roles
            FROM people p LEFT JOIN ambassadors a ON a.person_id = p.id
            WHERE p.id = ANY($1::bigint[])
            """,
            [someone.person_id for someone in people.values()],
        )
    found = {r["id"]: r for r in rows}
    fit: dict[str, Someone] = {}
    for role, someone in people.items():
        row = found.get(someone.person_id)
        if row is None or not row["active"] or not row["has_token"] or list(row["roles"]) != [role]:
            fit[role] = await factory.person(role, ambassador=True)
            continue
        if not row["opted_in"]:
            await factory.make_ambassador(someone)
        fit[role] = someone
    return fit


async def test_every_route_admits_exactly_the_roles_it_declares(
    app: Litestar, client: Any, factory: Factory
) -> None:
    await factory.charter()
    # Opted-in ambassadors, so ambassador-only routes answer for what they do rather than "opt in first".
    people = {role.value: await factory.person(role.value, password=None, ambassador=True) for role in Role}
    routes = walked_routes(app)
    assert len(routes) > 10, "the walk found too few routes: did create_app change shape?"
    wrong: list[str] = []
    for method, template, handler in routes:
        people = await fit_for_the_walk(factory, people)
        access = declared_access(handler)
        assert access is not None, f"{method} {template} has no Allow guard"
        path = concrete_path(template)
        status, body = await call(client, method, path, {})
        # SCIM answers machines (a SCIM error), not readers: only other GETs are pages
        page = method == "GET" and not template.startswith(("/api/", "/scim/"))
        if problem := verdict(status, access.admits(None), anonymous=True, page=page):
            wrong.append(f"{method} {template} as anonymous: {problem} ({access!r}): {body}")
        for role, someone in people.items():
            status, body = await call(client, method, path, someone.headers)
            if problem := verdict(status, access.admits({role}), anonymous=False):
                wrong.append(f"{method} {template} as {role}: {problem} ({access!r}): {body}")
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_routes_added_to_the_app(app: Litestar) -> None:
    templates = {template for _, template, _ in walked_routes(app)}
    assert {"/api/v1/me", "/api/v1/people/{person_id:uuid}", "/healthz", "/"} <= templates
    assert not any(t.startswith(("/static", API_DOCS_PATH)) for t in templates)


class NarrowedController(Controller):
    path = "/api/v1/walk-test"
    guards = [Allow(Role.ADMIN)]

    @get("/wider", operation_id="walkTestWider", guards=[Allow(Role.CURATOR)])
    async def wider(self) -> dict[str, str]:
        """A route that lets curators in although its controller is for admins."""
        return {"ok": "wider"}

    @get("/inherited", operation_id="walkTestInherited")
    async def inherited(self) -> dict[str, str]:
        """A route that keeps its controller's guard."""
        return {"ok": "inherited"}


async def test_the_guard_closest_to_a_route_decides_and_added_routes_are_walked(
    settings: Settings, factory: Factory
) -> None:
    app = create_app(settings, extra_handlers=[NarrowedController])
    assert {"/api/v1/walk-test/wider", "/api/v1/walk-test/inherited"} <= {t for _, t, _ in walked_routes(app)}
    curator, hr = await factory.person("curator", password=None), await factory.person("hr", password=None)
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/api/v1/walk-test/wider", headers=curator.headers)).status_code == 200
        assert (await client.get("/api/v1/walk-test/wider", headers=hr.headers)).status_code == 403
        assert (await client.get("/api/v1/walk-test/inherited", headers=curator.headers)).status_code == 403


def test_the_middleware_enforces_each_declaration_and_litestar_runs_no_allow_guard(app: Litestar) -> None:
    handlers = [handler for _, handler in route_handlers(app)]
    assert "follow_tracked_link" in [h.handler_name for h in handlers]
    for handler in handlers:
        assert handler.opt.get(ACCESS_OPT) is declared_access(handler), handler.handler_name
        assert not [g for g in handler.resolve_guards() if isinstance(g, Allow)], handler.handler_name
