"""Cursor pagination: an opaque cursor carries the last row's sort key; every list answers a Page."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from advocacy.core.errors import Invalid

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="How many items at most")]
Cursor = Annotated[
    str | None, QueryParameter(max_length=512, description="`next_cursor` of the previous page")
]


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: type[Any]) -> Any:
    """Decode a cursor into `types` (a tuple type such as tuple[int] or tuple[datetime, int])."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=types)
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError):
        raise Invalid("The cursor is not one this API gave out; start again without it") from None


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """Build a Page from up to limit+1 rows: the extra row only says that there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(items=rows, next_cursor=encode_cursor(*key(rows[-1])))
    return Page(items=rows, next_cursor=None)
