"""Which SCIM filters this service answers: a filter parsed by `scim2-models` (never by hand) becomes
conditions on fixed columns (advocacy.scim.queries), or an `invalidFilter` refusal."""

from __future__ import annotations

from typing import Any

from scim2_models import InvalidFilterException
from scim2_models.path import Comparison, FilterNode, LogicalExpr, LogicalOperator

from advocacy.core.emails import canonical_email
from advocacy.scim.schemas import Condition

# attribute (lower-cased, as filters compare names without case) -> (column key, operators answered)
_USER_ATTRIBUTES = {
    "id": ("id", {"eq"}),
    "username": ("userName", {"eq", "co", "sw"}),
    "externalid": ("externalId", {"eq"}),
    "displayname": ("displayName", {"eq", "co", "sw"}),
    "emails": ("emails", {"eq"}),
    "emails.value": ("emails", {"eq"}),
    "active": ("active", {"eq"}),
}
_GROUP_ATTRIBUTES = {
    "id": ("id", {"eq"}),
    "displayname": ("displayName", {"eq", "co", "sw"}),
    "externalid": ("externalId", {"eq"}),
}


def conditions(kind: str, ast: FilterNode | None) -> list[Condition]:
    """The filter as conditions all of which must hold. Answered: comparisons of the attributes above with
    their operators, joined by `and`; anything else is refused (400 invalidFilter), never guessed."""
    if ast is None:
        return []
    known = _USER_ATTRIBUTES if kind == "User" else _GROUP_ATTRIBUTES
    terms = ast.terms if isinstance(ast, LogicalExpr) and ast.op == LogicalOperator.and_ else (ast,)
    found = []
    for term in terms:
        if not isinstance(term, Comparison) or term.attr_path.uri not in (None, _core_urn(kind)):
            raise InvalidFilterException(detail=f"This filter is not supported here: {term}")
        path = term.attr_path
        name = (path.attr if path.sub_attr is None else f"{path.attr}.{path.sub_attr}").lower()
        column, operators = known.get(name, ("", set()))
        if term.op.value not in operators:
            raise InvalidFilterException(
                detail=f"Filtering {kind}s on '{term.attr_path} {term.op.value}' is not supported"
            )
        found.append(Condition(column, term.op.value, _value(column, term.value)))
    return found


def _core_urn(kind: str) -> str:
    return f"urn:ietf:params:scim:schemas:core:2.0:{kind}"


def _value(column: str, value: Any) -> Any:
    if column == "active":
        if not isinstance(value, bool):
            raise InvalidFilterException(detail="active compares with true or false")
        return value
    if not isinstance(value, str):
        raise InvalidFilterException(detail="This attribute compares with a string")
    if column == "userName":
        return value.lower()
    if column == "emails":
        return canonical_email(value)
    return value
