"""A streamed answer that keeps its own media type, so one route can stream more than one format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.response import Stream

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.enums import MediaType
    from litestar.response.base import ASGIResponse


class TypedStream(Stream):
    """Litestar 2's `Stream` lets the route's declared media type win over its own (its docstring says the
    opposite), so `?format=jsonl` went out as the route's `text/csv`; this one keeps what it was given."""

    def to_asgi_response(
        self,
        app: Litestar | None,
        request: Request[Any, Any, Any],
        *,
        media_type: MediaType | str | None = None,
        **kwargs: Any,
    ) -> ASGIResponse:
        return super().to_asgi_response(app, request, media_type=self.media_type or media_type, **kwargs)
