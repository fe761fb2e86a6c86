"""Forms: read what was posted, check the CSRF field, turn it into the API's body Struct, and on any problem
(a service's problem details or a body that does not validate) keep what was typed and put each message
next to its field. Every form goes through `form_problem`, so a page never maps errors by hand."""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from advocacy.auth.schemas import Principal
from advocacy.core.errors import DomainError, Forbidden

T = TypeVar("T")
CSRF_FIELD = "csrf"
_AT_PATH = re.compile(r"- at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")


class FormData(msgspec.Struct, frozen=True, kw_only=True):
    """A posted form: one value per field (the last one sent) and every value of repeated fields."""

    values: dict[str, str]
    lists: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getall(self, name: str) -> list[str]:
        return self.lists.get(name, [])


class FormState(msgspec.Struct, frozen=True, kw_only=True):
    """What a form template needs: what was typed, the message of each field in error (in field order),
    and a message that belongs to no one field. Templates read it through the `field` macros."""

    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    detail: str = ""
    status: int = 200

    @property
    def has_problem(self) -> bool:
        return bool(self.errors or self.detail)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def chosen(self, name: str) -> list[str]:
        return self.lists.get(name) or ([self.values[name]] if name in self.values else [])


def blank_form(**values: str) -> FormState:
    return FormState(values=dict(values))


async def read_form(request: Request[Any, Any, Any]) -> FormData:
    form = await request.form()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values[key] = value
            lists.setdefault(key, []).append(value)
    return FormData(values=values, lists=lists)


def check_csrf(principal: Principal | None, form: FormData) -> None:
    """A session cookie rides along with a forged cross-site form; the form's CSRF field proves it is ours."""
    if principal is None or principal.via != "session":
        return
    given = form.get(CSRF_FIELD)
    if not (principal.csrf_token and given and hmac.compare_digest(principal.csrf_token, given)):
        raise Forbidden("The form has expired: reload the page and try again")


def parse_form(values: Mapping[str, Any], into: type[T]) -> T:
    """The API's body Struct from form fields (strings become numbers and booleans as the Struct says);
    an empty field counts as not given. Raises msgspec.ValidationError, which form_problem understands."""
    given = {k: v for k, v in values.items() if v != "" and k != CSRF_FIELD}
    return msgspec.convert(given, into, strict=False)


def _field_of(path: str) -> str:
    """`$.visibility` or `visibility` or `answers[2]` → the form field's name (`visibility`, `answers`)."""
    path = path.removeprefix("$").lstrip(".")
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def field_errors(exc: BaseException) -> list[tuple[str, str]]:
    """(API field, message) pairs a problem names, in the order it names them."""
    if isinstance(exc, DomainError):
        raw = exc.extra.get("errors") or []
        return [(_field_of(str(e.get("field", ""))), str(e.get("message", ""))) for e in raw]
    if isinstance(exc, msgspec.ValidationError):
        message = str(exc)
        found = _AT_PATH.search(message)
        field = _field_of(found.group(1)) if found else ""
        missing = _MISSING.search(message)
        if missing:  # msgspec names the missing field itself, with the path of the object holding it
            field = _field_of(f"{found.group(1)}.{missing.group(1)}" if found else missing.group(1))
        return [(field, _AT_PATH.sub("", message).strip())]
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        return [
            (_field_of(str(e.get("key") or "")), str(e.get("message", "")))
            for e in exc.extra
            if isinstance(e, dict)
        ]
    return []


def form_problem(
    exc: BaseException,
    form: FormData,
    *,
    fields: Mapping[str, str] | None = None,
    messages: Mapping[str, str] | None = None,
    otherwise: str | None = None,
) -> FormState:
    """The form again, with the problem put where it belongs.

    `fields` maps an API field to the form field that holds it (default: the same name); `messages` gives
    a form field a message in the reader's language instead of the service's; `otherwise` names the field
    a problem without field errors belongs to (for example a charter conflict on the accept box), else
    its detail is shown above the form.
    """
    fields = fields or {}
    messages = messages or {}
    errors: dict[str, str] = {}
    for api_field, message in field_errors(exc):
        name = fields.get(api_field, api_field)
        if name and name not in errors:
            errors[name] = messages.get(name, message)
    detail = ""
    if not errors:
        text = exc.detail if isinstance(exc, DomainError) else str(exc)
        if otherwise:
            errors[otherwise] = messages.get(otherwise, text)
        else:
            detail = text
    status = exc.status if isinstance(exc, DomainError) else 422
    return FormState(values=form.values, lists=form.lists, errors=errors, detail=detail, status=status)
