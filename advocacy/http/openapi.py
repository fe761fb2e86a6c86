"""The OpenAPI document as clients see it: Litestar's generated description, finished with what only the app
knows (the problem answers every operation can give, who may call each operation, stable schema names)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI

from advocacy.http.guards import Allow
from advocacy.http.problems import PROBLEM_MEDIA_TYPE, Problem

Document = dict[str, Any]

# A handler whose 200 answer's media type depends on the request names them in its opt under this key.
MEDIA_TYPES_OPT = "media_types"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Litestar names a generic's component after its argument's full module path: `Page_a.b.ItemRead_`.
_GENERIC_NAME = re.compile(r"^(?P<generic>[A-Za-z0-9]+)_(?:[A-Za-z0-9_]+\.)*(?P<argument>[A-Za-z0-9]+)_$")


@dataclass
class ApiDocumentConfig(OpenAPIConfig):
    """Litestar's OpenAPIConfig, whose document is finished by `finish_document` when it is first served.

    `operations` (operation id -> what the handler declares) is filled by create_app once routes are known.
    """

    operations: dict[str, OperationFacts] = field(default_factory=dict)

    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        document = _FinishedOpenAPI(**{f.name: getattr(base, f.name) for f in fields(base)})
        document.operations = self.operations
        return document


@dataclass(frozen=True)
class OperationFacts:
    """What the document cannot learn from a handler's signature."""

    access: Allow | None = None
    media_types: tuple[str, ...] = ()


@dataclass
class _FinishedOpenAPI(OpenAPI):
    operations: dict[str, OperationFacts] = field(default_factory=dict)

    @property
    def _exclude_fields(self) -> set[str]:
        return {"operations"}

    def to_schema(self) -> dict[str, Any]:
        return finish_document(super().to_schema(), self.operations)


def finish_document(document: Document, operations: dict[str, OperationFacts]) -> Document:
    """Complete Litestar's generated document (a dict) in place and return it."""
    _name_generics(document)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    strict = _strict_structs()
    for name, schema in schemas.items():
        if strict.get(name):
            schema["additionalProperties"] = False
    for name, schema in msgspec.json.schema_components([Problem], ref_template="#/components/schemas/{name}")[
        1
    ].items():
        schemas[name] = schema
    components.setdefault("responses", {})["Problem"] = {
        "description": (
            "The request was refused: an RFC 9457 problem saying why (`type`, `title`, `detail`, and for "
            "invalid input `errors`, one per field)"
        ),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for operation in _operations(document):
        responses = operation.setdefault("responses", {})
        for status in [status for status in responses if status.startswith("4")]:
            del responses[status]  # Litestar's own error shape, which the app never sends
        responses["4XX"] = {"$ref": "#/components/responses/Problem"}
        for status, response in responses.items():
            if status == "204":
                response.pop("content", None)  # no body, hence no media type
        facts = operations.get(operation.get("operationId", ""), OperationFacts())
        if facts.access is not None and facts.access.public:
            operation["security"] = []
        if facts.media_types and "200" in responses:
            responses["200"]["content"] = {
                media_type: {"schema": {} if media_type.endswith("json") else {"type": "string"}}
                for media_type in facts.media_types
            }
    return document


def _strict_structs() -> dict[str, bool]:
    """Each Struct class name (Litestar names a component by its class) and whether it refuses unknown
    fields, said in the document as `additionalProperties: false`; when two Structs share a name, only if both
    refuse (a component name shared by two classes would show in the OpenAPI snapshot test)."""
    strict: dict[str, bool] = {}
    pending = list(msgspec.Struct.__subclasses__())
    while pending:
        struct = pending.pop()
        pending.extend(struct.__subclasses__())
        refuses = bool(struct.__struct_config__.forbid_unknown_fields)
        strict[struct.__name__] = strict.get(struct.__name__, refuses) and refuses
    return strict


def _operations(document: Document) -> list[dict[str, Any]]:
    return [
        operation
        for path_item in document.get("paths", {}).values()
        for method, operation in path_item.items()
        if method in _METHODS
    ]


def _name_generics(document: Document) -> None:
    """`Page_content_library.schemas.ItemRead_` becomes `ItemReadPage`, and every reference follows."""
    schemas = document.get("components", {}).get("schemas", {})
    renamed: dict[str, str] = {}
    for name in list(schemas):
        match = _GENERIC_NAME.match(name)
        if match and "." in name:
            clean = match["argument"] + match["generic"]
            renamed[name] = clean
            schema = schemas.pop(name)
            schema["title"] = clean
            schemas[clean] = schema
    if renamed:
        _rewrite_references(
            document,
            {f"#/components/schemas/{old}": f"#/components/schemas/{new}" for old, new in renamed.items()},
        )


def _rewrite_references(node: Any, references: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in references:
            node["$ref"] = references[ref]
        for value in node.values():
            _rewrite_references(value, references)
    elif isinstance(node, list):
        for value in node:
            _rewrite_references(value, references)
