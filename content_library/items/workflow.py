"""The publishing workflow: which status may follow which, and who may move an item along."""

from __future__ import annotations

from collections.abc import Iterable

from advocacy.core.errors import Conflict, Forbidden, Invalid
from advocacy.core.i18n import lazy_gettext
from advocacy.core.roles import Role, effective_roles
from content_library.schemas import Status

CURATOR, REVIEWER = Role.CURATOR.value, Role.REVIEWER.value

# (from, to) -> roles allowed to make that move; anything absent is forbidden for everyone.
TRANSITIONS: dict[tuple[Status, Status], frozenset[str]] = {
    ("draft", "in_review"): frozenset({CURATOR}),
    ("in_review", "draft"): frozenset({CURATOR, REVIEWER}),  # withdrawn, or changes requested
    ("in_review", "approved"): frozenset({REVIEWER}),
    ("in_review", "archived"): frozenset({CURATOR, REVIEWER}),
    ("draft", "archived"): frozenset({CURATOR}),
    ("approved", "archived"): frozenset({CURATOR, REVIEWER}),
    ("archived", "draft"): frozenset({CURATOR}),
}


def check_transition(
    current: Status,
    target: Status,
    roles: Iterable[str],
    *,
    is_own: bool,
    languages_missing_alt: list[str],
) -> None:
    """Raise why this move is refused; return if it may happen."""
    if current == target:
        raise Conflict(
            lazy_gettext("The item is already %(current)s.", current=current), extra={"reason": "same-status"}
        )
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise Conflict(
            lazy_gettext("An item cannot go from %(current)s to %(target)s.", current=current, target=target),
            extra={"reason": "forbidden-transition", "from": current, "to": target},
        )
    held = effective_roles(roles)
    if not allowed & held:
        raise Forbidden(
            lazy_gettext(
                "Moving an item from %(current)s to %(target)s needs the %(roles)s role.",
                current=current,
                target=target,
                roles=" or ".join(sorted(allowed)),
            ),
            extra={"reason": "role"},
        )
    if target == "approved":
        if is_own:  # nobody approves their own work (invariant 10)
            raise Forbidden(
                lazy_gettext(
                    "You cannot approve an item you wrote or last edited: another reviewer must approve it."
                ),
                extra={"reason": "self-approval"},
            )
        if languages_missing_alt:
            raise Invalid(
                "Every image needs alt text in " + ", ".join(languages_missing_alt) + " before approval.",
                extra={"reason": "alt-text-missing", "languages": languages_missing_alt},
            )


def can_edit(roles: Iterable[str]) -> bool:
    return CURATOR in effective_roles(roles)
