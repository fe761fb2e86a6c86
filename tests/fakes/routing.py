"""A Litestar app whose one catch-all route dispatches to a fake network's endpoint functions by regex,
logging each call and answering scripted failures first."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import HttpMethod, Litestar, Request, Response, route
from litestar.params import FromPath

from tests.fakes.base import FakeNetwork, answer_scripted


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, Any]

    def json(self) -> Any:
        return msgspec.json.decode(self.body) if self.body else None


Endpoint = Callable[[Call], Awaitable[Response[Any]]]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=status, headers=headers or {}, media_type="application/json")


def build_app(network: FakeNetwork, table: list[tuple[str, str, str, Endpoint]]) -> Litestar:
    """table: (method, path regex, endpoint name for scripting, function)."""
    compiled = [(m, re.compile(f"^{p}$"), name, fn) for m, p, name, fn in table]

    @route("/{path:path}", http_method=[HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE])
    async def dispatch(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[Any]:
        method = request.method.upper()
        for m, pattern, name, fn in compiled:
            match = pattern.match(path.lstrip("/"))
            if m != method or match is None:
                continue
            headers = {k.lower(): v for k, v in request.headers.items()}
            network.log(name, method, headers)
            body = await request.body()
            form: dict[str, Any] = {}
            ctype = headers.get("content-type", "")
            if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                parsed = await request.form()
                form = {k: parsed.get(k) for k in parsed}
            call = Call(method, path, match.groupdict(), dict(request.query_params), headers, body, form)
            scripted = network.take(name)
            if scripted is not None and scripted.after_action:
                await fn(call)
            answer = await answer_scripted(network, name, scripted)
            if answer is not None:
                return answer
            return await fn(call)
        return json_response({"error": "not found", "path": path}, 404)

    return Litestar(route_handlers=[dispatch], debug=False)
