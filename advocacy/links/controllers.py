"""GET /l/{code}: the tracked link every share goes out with (public).

A raw ASGI handler on purpose: this is the one route hit by the public at volume, and Litestar's
per-request signature parsing, dependency injection and response objects cost more than the click itself.
"""

from __future__ import annotations

from typing import Any

from litestar import asgi

from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.links import service
from advocacy.links.pages import NOT_FOUND_PAGE, preview_page
from advocacy.links.service import LinkRuntime, Outcome

Scope = Any
_HTML = b"text/html; charset=utf-8"


def user_agent(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"user-agent":
            return str(value.decode("latin-1"))
    return ""


def _code(scope: Scope) -> str:
    path: str = scope["path"]
    if path.startswith("/l/"):
        path = path[3:]
    return path.strip("/")


async def _answer(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> None:
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@asgi("/l", is_mount=True, guards=[PUBLIC], name="followTrackedLink", copy_scope=False)
async def follow_tracked_link(scope: Scope, receive: Any, send: Any) -> None:
    """Send the visitor to the shared content, recording the click first (crawlers get a preview page)."""
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await _answer(
            send, 405, [(b"allow", b"GET, HEAD"), (b"content-type", b"text/plain")], b"Method not allowed"
        )
        return
    state = scope["litestar_app"].state
    runtime: LinkRuntime = state.links
    code = _code(scope)
    if method == "HEAD":  # link checkers, not people: answered, not recorded
        entry = await service.entry_for(runtime, code)
        if entry is None:
            await _answer(send, 404, [(b"content-type", _HTML)])
        else:
            await _answer(
                send, 302, [(b"location", entry.target.encode()), (b"cache-control", b"private, no-store")]
            )
        return
    user = scope.get("user")
    followed = await service.follow(
        runtime,
        code,
        address=client_address(scope),
        user_agent=user_agent(scope),
        signed_in_person_id=user.person_id if user is not None else None,
    )
    if followed.outcome is Outcome.NOT_FOUND:
        await _answer(send, 404, [(b"content-type", _HTML), (b"cache-control", b"no-store")], NOT_FOUND_PAGE)
        return
    assert followed.target is not None
    if followed.outcome is Outcome.PREVIEW:
        settings = state.settings
        preview = await service.preview(
            runtime.db, code, public_base_url=settings.public_base_url, storage=state.storage
        )
        if preview is not None:
            page = preview_page(preview, url=service.link_url(settings.public_base_url, code))
            await _answer(
                send, 200, [(b"content-type", _HTML), (b"cache-control", b"public, max-age=300")], page
            )
            return
    await _answer(
        send, 302, [(b"location", followed.target.encode()), (b"cache-control", b"private, no-store")]
    )
