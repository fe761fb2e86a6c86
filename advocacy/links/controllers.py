"""GET /l/{code}: the tracked link every share goes out with (public), and /cards/{code}: the public page
and PNG of a badge card shared through the share flow.

/l is a raw ASGI handler on purpose: this is the one route hit by the public at volume, and Litestar's
per-request signature parsing, dependency injection and response objects cost more than the click itself.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, asgi, get
from litestar.params import FromPath

from advocacy.http.deps import DbDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.links import service
from advocacy.links.pages import CARD_GONE_PAGE, NOT_FOUND_PAGE, UNAVAILABLE_PAGE, card_page, preview_page
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


@asgi(
    "/l",
    is_mount=True,
    guards=[PUBLIC],
    name="followTrackedLink",
    copy_scope=False,
    opt={"metrics_route": "/l/{code}"},
)
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
    try:
        followed = await service.follow(
            runtime,
            code,
            address=client_address(scope),
            user_agent=user_agent(scope),
            signed_in_person_id=user.person_id if user is not None else None,
        )
    except service.LinkUnavailable:
        followed = service.Followed(outcome=Outcome.UNAVAILABLE)
    if followed.outcome is Outcome.UNAVAILABLE or (
        followed.outcome is not Outcome.NOT_FOUND and not followed.recorded
    ):
        # PostgreSQL is down and the code is not known here, or the click could be kept nowhere: an honest
        # error the visitor can retry, never a redirect whose click is lost
        await _answer(
            send,
            503,
            [(b"content-type", _HTML), (b"cache-control", b"no-store"), (b"retry-after", b"5")],
            UNAVAILABLE_PAGE,
        )
        return
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


class CardPageController(Controller):
    """A badge card's public page and image: where a card share's tracked link leads, what previews show."""

    path = "/cards"
    tags = ["shares"]
    guards = [PUBLIC]
    include_in_schema = False

    @get("/{code:str}", operation_id="getCardPage", media_type="text/html")
    async def page(self, code: FromPath[str], db: DbDep, settings: SettingsDep) -> Response[bytes]:
        """The card's page, with Open Graph and Twitter Card tags showing its PNG."""
        card = await service.card(db, code, public_base_url=settings.public_base_url)
        if card is None:
            return Response(
                CARD_GONE_PAGE, status_code=404, media_type="text/html", headers={"Cache-Control": "no-store"}
            )
        url = service.card_page_url(settings.public_base_url, code)
        return Response(
            card_page(card, url=url), media_type="text/html", headers={"Cache-Control": "public, max-age=300"}
        )

    @get("/{code:str}/card.png", operation_id="getCardImage", media_type="image/png")
    async def image(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Response[bytes]:
        """The card as a 1200×627 PNG (cached an hour; revalidated with its ETag)."""
        runtime: LinkRuntime = request.app.state.links
        found = await service.card_image(runtime, code)
        if found is None:
            return Response(
                CARD_GONE_PAGE, status_code=404, media_type="text/html", headers={"Cache-Control": "no-store"}
            )
        png, etag = found
        headers = {"Cache-Control": "public, max-age=3600", "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return Response(b"", status_code=304, headers=headers)
        return Response(png, media_type="image/png", headers=headers)
