"""Checks every request passes before any route sees its input: no NUL character in the URL, a JSON body or
a form (PostgreSQL text cannot hold one), JSON nested at most advocacy.core.untrusted.MAX_DEPTH deep, and
the bounded numbers and zoned datetimes that parameters must be."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.params import Parameter
from litestar.types import ASGIApp, Receive, Scope, Send

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from advocacy.core.untrusted import check_decoded, nul_in, too_deep

INT32_MAX = 2**31 - 1
# bigint keys are stated up to 2**53 - 1: a document's numbers are often read as doubles, which round
# 2**63 - 1 up past the column's bound
SAFE_BIGINT_MAX = 2**53 - 1

# Path parameters naming rows by their integer key: PostgreSQL's integer and bigint bounds, stated in the
# API document and checked before a query could fail on them.
Int32Key = Annotated[int, Parameter(ge=1, le=INT32_MAX)]
Int64Key = Annotated[int, Parameter(ge=1, le=SAFE_BIGINT_MAX)]


class UntrustedRequest(Request[Any, Any, Any]):
    """The app's request class: its decoded JSON and form bodies have been checked (see module docstring)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise too_deep() from None
        check_decoded(value, "body")
        return value

    async def form(self) -> Any:
        form = await super().form()
        for key, value in form.multi_items():
            if "\x00" in key or (isinstance(value, str) and "\x00" in value):
                raise nul_in(key.replace("\x00", "\\0"), "body")
        return form


class UrlCheckMiddleware(ASGIMiddleware):
    """Refuses a NUL character in the path or the query string before routing and parameter parsing."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        query: bytes = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            raise nul_in("query string", "query")
        if "\x00" in scope["path"]:
            raise nul_in("path", "path")
        await next_app(scope, receive, send)


def zoned(**values: datetime | None) -> None:
    """Refuse a datetime parameter without a time zone: which instant it names would be a guess."""
    for name, value in values.items():
        if value is not None and value.utcoffset() is None:
            message = f"give a time zone, e.g. {value.isoformat(timespec='seconds')}Z or +01:00"
            raise Invalid(
                lazy_gettext(
                    "`%(name)s` has no time zone: give a time zone, e.g. %(example)sZ or +01:00",
                    name=name,
                    example=value.isoformat(timespec="seconds"),
                ),
                extra={"errors": [{"field": name, "message": message, "source": "query"}]},
            )
