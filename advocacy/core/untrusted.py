"""Decoded input that no service can store: a NUL character in any text (PostgreSQL refuses it), structures
nested deeper than any document of ours. One check for every decoder: HTTP bodies, imported files."""

from __future__ import annotations

from typing import Any

from advocacy.core.errors import DomainError, Invalid
from advocacy.core.i18n import lazy_gettext

MAX_DEPTH = 64
NUL_MESSAGE = "holds a NUL character (U+0000), which no text here may contain"


class Malformed(DomainError):
    kind, title = "malformed-body", "Malformed body"
    status = 400


def too_deep(document: bool = False) -> Malformed:
    """A JSON body (or, with `document`, an imported charter document) nested deeper than MAX_DEPTH."""
    if document:
        return Malformed(
            lazy_gettext("The charter document is nested more than %(depth)s levels deep", depth=MAX_DEPTH)
        )
    return Malformed(lazy_gettext("The JSON body is nested more than %(depth)s levels deep", depth=MAX_DEPTH))


def nul_in(field: str, source: str) -> Invalid:
    return Invalid(
        lazy_gettext(
            "`%(field)s` holds a NUL character (U+0000), which no text here may contain", field=field
        ),
        extra={"errors": [{"field": field, "message": NUL_MESSAGE, "source": source}]},
    )


def check_decoded(value: Any, source: str = "body", document: bool = False) -> None:
    """Refuse a decoded value nested deeper than MAX_DEPTH or holding a NUL in any string or key."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                raise nul_in(_dotted(path), source)
            continue
        if not isinstance(node, dict | list | tuple):
            continue
        if len(path) >= MAX_DEPTH:
            raise too_deep(document)
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and "\x00" in key:
                    raise nul_in(_dotted((*path, key.replace("\x00", "\\0"))), source)
                stack.append((child, (*path, key)))
        else:
            stack.extend((child, (*path, index)) for index, child in enumerate(node))


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path) or "$"
