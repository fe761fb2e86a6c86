"""The navigation by role: one table of entries, each with the roles that see it. A new page group adds
its entry here; an entry for an area whose pages are still to come leads to that area's landing page."""

from __future__ import annotations

import msgspec

from advocacy.core.roles import Role
from advocacy.web.i18n import N_


class NavEntry(msgspec.Struct, frozen=True, kw_only=True):
    href: str
    label: str  # an English message id, translated by the layout
    current: bool = False


class _Entry(msgspec.Struct, frozen=True, kw_only=True):
    href: str
    label: str
    roles: frozenset[Role] | None  # None: every signed-in person
    prefixes: tuple[str, ...] = ()  # other paths that belong to this entry


ENTRIES: tuple[_Entry, ...] = (
    _Entry(href="/", label=N_("Getting started"), roles=None, prefixes=("/start", "/ambassador")),
    _Entry(href="/feed", label=N_("Feed"), roles=None),
    _Entry(href="/shares", label=N_("My shares"), roles=None),
    _Entry(href="/points", label=N_("My points"), roles=None),
    _Entry(href="/leaderboards", label=N_("Leaderboards"), roles=None),
    _Entry(href="/rewards", label=N_("Rewards"), roles=None),
    _Entry(href="/studio", label=N_("Library"), roles=frozenset({Role.CURATOR, Role.REVIEWER})),
    _Entry(href="/compliance", label=N_("Compliance"), roles=frozenset({Role.COMPLIANCE})),
    _Entry(href="/hr", label=N_("Recognition"), roles=frozenset({Role.HR})),
    _Entry(href="/admin", label=N_("Administration"), roles=frozenset({Role.ADMIN})),
)


def _sees(entry: _Entry, roles: frozenset[str]) -> bool:
    if entry.roles is None:
        return True
    return Role.ADMIN in roles if entry.roles == {Role.ADMIN} else bool(entry.roles & roles)


def _is_current(entry: _Entry, path: str) -> bool:
    if entry.href == "/":
        return path == "/" or path.startswith(entry.prefixes)
    return path == entry.href or path.startswith((entry.href + "/", *entry.prefixes))


def navigation(roles: frozenset[str], path: str) -> list[NavEntry]:
    """The entries a person with these roles sees, the one for `path` marked current. Administrators see
    their own area, not every other role's (they reach those by address: admin passes every guard)."""
    return [
        NavEntry(href=e.href, label=e.label, current=_is_current(e, path)) for e in ENTRIES if _sees(e, roles)
    ]
