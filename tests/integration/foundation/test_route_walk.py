"""Every route of the app, called anonymously and with each single role, answers as its Allow guard declares.

The routes are read from create_app(), so a route added later is walked without touching this test.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from advocacy.app import API_DOCS_PATH
from advocacy.http.guards import Role, declared_access
from tests.factories import Factory

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
    """(method, path template, handler) for every route except the docs, static files and CORS preflights."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith((API_DOCS_PATH, "/static")):
            continue
        for handler in route.route_handlers:
            if handler.handler_name == "options_handler":
                continue
            for method in sorted(handler.http_methods):
                found.append((method, route.path, handler))
    return found


def verdict(status: int, admitted: bool, anonymous: bool) -> str | None:
    """What is wrong with this status for a caller the guard does (not) admit, or None when it is right."""
    if admitted:
        return None if status not in (401, 403) else f"admitted caller got {status}"
    expected = 401 if anonymous else 403
    return None if status == expected else f"refused caller got {status}, expected {expected}"


async def call(client: Any, method: str, path: str, headers: dict[str, str]) -> int:
    kwargs: dict[str, Any] = {"headers": headers}
    if method not in _SAFE:
        kwargs["json"] = {}
    response = await client.request(method, path, follow_redirects=False, **kwargs)
    status: int = response.status_code
    return status


async def test_every_route_admits_exactly_the_roles_it_declares(
    app: Litestar, client: Any, factory: Factory
) -> None:
    await factory.charter()
    people = {role.value: await factory.person(role.value, password=None) for role in Role}
    routes = walked_routes(app)
    assert len(routes) > 10, "the walk found too few routes: did create_app change shape?"
    wrong: list[str] = []
    for method, template, handler in routes:
        access = declared_access(handler)
        assert access is not None, f"{method} {template} has no Allow guard"
        path = concrete_path(template)
        status = await call(client, method, path, {})
        if problem := verdict(status, access.admits(None), anonymous=True):
            wrong.append(f"{method} {template} as anonymous: {problem} ({access!r})")
        for role, someone in people.items():
            status = await call(client, method, path, someone.headers)
            if problem := verdict(status, access.admits({role}), anonymous=False):
                wrong.append(f"{method} {template} as {role}: {problem} ({access!r})")
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_routes_added_to_the_app(app: Litestar) -> None:
    templates = {template for _, template, _ in walked_routes(app)}
    assert {"/api/v1/me", "/api/v1/people/{person_id:uuid}", "/healthz", "/"} <= templates
    assert not any(t.startswith(("/static", API_DOCS_PATH)) for t in templates)
