"""GET /l/{code}: the tracked link every share goes out with (public)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath

from advocacy.http.deps import SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.links import service
from advocacy.links.pages import NOT_FOUND_PAGE, preview_page
from advocacy.links.service import LinkRuntime, Outcome

_NO_STORE = "private, no-store"


def user_agent(scope: Any) -> str:
    for key, value in scope["headers"]:
        if key == b"user-agent":
            return str(value.decode("latin-1"))
    return ""


class TrackedLinkController(Controller):
    path = "/l"
    tags = ["links"]
    guards = [PUBLIC]
    include_in_schema = False

    @get("/{code:str}", operation_id="followTrackedLink", media_type=MediaType.HTML)
    async def follow(
        self, request: Request[Any, Any, Any], code: FromPath[str], settings: SettingsDep
    ) -> Response[bytes]:
        """Send the visitor to the shared content, recording the click first (crawlers get a preview page)."""
        runtime: LinkRuntime = request.app.state.links
        user = request.scope.get("user")
        followed = await service.follow(
            runtime,
            code,
            address=client_address(request.scope),
            user_agent=user_agent(request.scope),
            signed_in_person_id=user.person_id if user is not None else None,
        )
        if followed.outcome is Outcome.NOT_FOUND:
            return Response(NOT_FOUND_PAGE, status_code=404, media_type=MediaType.HTML)
        if followed.outcome is Outcome.PREVIEW:
            preview = await service.preview(
                runtime.db, code, public_base_url=settings.public_base_url, storage=request.app.state.storage
            )
            if preview is not None:
                url = service.link_url(settings.public_base_url, code)
                return Response(
                    preview_page(preview, url=url),
                    media_type=MediaType.HTML,
                    headers={"cache-control": "public, max-age=300"},
                )
        assert followed.target is not None
        return Response(
            b"", status_code=302, headers={"location": followed.target, "cache-control": _NO_STORE}
        )
