"""Cursor pagination: an opaque cursor carries the last row's sort key; every list answers a Page."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import KwargDefinition, QueryParameter

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="How many items at most")]
Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` of the previous page (opaque: one this API gave out)",
    ),
]

NOT_OUR_CURSOR = lazy_gettext("The cursor is not one this API gave out; start again without it")


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
        key = msgspec.json.decode(raw, type=types)
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        raise Invalid(NOT_OUR_CURSOR) from None
    # every integer of a sort key is a PostgreSQL bigint; a larger one is no cursor of ours
    if any(isinstance(part, int) and not -(2**63) <= part < 2**63 for part in key) or any(
        isinstance(part, str) and "\x00" in part for part in key
    ):
        raise Invalid(NOT_OUR_CURSOR)
    return key


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """Build a Page from up to limit+1 rows: the extra row only says that there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(items=rows, next_cursor=encode_cursor(*key(rows[-1])))
    return Page(items=rows, next_cursor=None)


async def page_by_id(
    cursor: str | None, limit: int, rows: Callable[[int | None, int], Awaitable[list[tuple[int, T]]]]
) -> Page[T]:
    """A page of a list kept newest first by internal id: `rows(after_id, limit + 1)` gives (id, item)
    pairs after the cursor's id (None: from the start); the cursor carries the last id shown."""
    after = decode_cursor(cursor, tuple[int])
    found = await rows(after[0] if after else None, limit + 1)
    page = page_of(found, limit, key=lambda row: (row[0],))
    return Page(items=[item for _, item in page.items], next_cursor=page.next_cursor)


def published_page(item_path: str) -> KwargDefinition:
    """Pin a Page's OpenAPI component name to the one already published (`Page_{item_path}_`): Litestar
    names Page[X] after X's module, so moving X would otherwise rename it for every generated client."""
    return KwargDefinition(schema_component_key=f"Page_{item_path}_")
