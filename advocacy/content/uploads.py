"""Upload bodies as a stream of the file's bytes: multipart/form-data (the `file` field) parsed as it
arrives, or a raw body; nothing is buffered whole and the size limit applies while streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from advocacy.core.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from advocacy.core.i18n import lazy_gettext

MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file in a multipart body
FILE_FIELD = "file"


def check_declared_length(request: Request[Any, Any, Any], max_bytes: int) -> None:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + MULTIPART_SLACK:
        raise PayloadTooLarge(
            lazy_gettext(
                "The file is larger than the %(max_bytes)s-byte limit.", max_bytes=format(max_bytes, ",")
            ),
            extra={"reason": "too-large", "max_bytes": max_bytes},
        )


def upload_stream(request: Request[Any, Any, Any], max_bytes: int) -> AsyncIterator[bytes]:
    """The uploaded file's bytes as they arrive; 413 early when Content-Length says it is too large."""
    check_declared_length(request, max_bytes)
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    kind = content_type.decode("latin-1").lower()
    if kind == "multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise Invalid(lazy_gettext("The multipart body has no boundary."), extra={"reason": "malformed"})
        return _multipart_file(request, boundary)
    if kind.startswith("image/") or kind == "application/octet-stream":
        return _raw(request)
    raise UnsupportedMediaType(
        lazy_gettext("Send the image as multipart/form-data (field `file`) or as the raw request body."),
        extra={"reason": "content-type"},
    )


async def _raw(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


async def _multipart_file(request: Request[Any, Any, Any], boundary: bytes) -> AsyncIterator[bytes]:
    pending: list[bytes] = []
    state: dict[str, Any] = {
        "field": b"",
        "value": b"",
        "headers": {},
        "is_file": False,
        "found": False,
        "done": False,
    }

    def on_part_begin() -> None:
        state["headers"] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].decode("latin-1").lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(state["headers"].get("content-disposition", b""))
        name = options.get(b"name", b"").decode("latin-1")
        state["is_file"] = name == FILE_FIELD and not state["found"]
        if state["is_file"]:
            state["found"] = True

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["is_file"]:
            pending.append(bytes(data[start:end]))

    def on_part_end() -> None:
        if state["is_file"]:
            state["is_file"] = False
            state["done"] = True

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for part in pending:
                yield part
            pending.clear()
        parser.finalize()
    except Exception as exc:
        if isinstance(exc, (Invalid, PayloadTooLarge)):
            raise
        if type(exc).__name__ in ("MultipartParseError", "FormParserError"):
            raise Invalid(
                lazy_gettext("The multipart body is malformed."), extra={"reason": "malformed"}
            ) from None
        raise
    for part in pending:
        yield part
    if not state["found"]:
        raise Invalid(
            lazy_gettext("The multipart body has no `%(FILE_FIELD)s` field.", FILE_FIELD=FILE_FIELD),
            extra={"reason": "no-file"},
        )
