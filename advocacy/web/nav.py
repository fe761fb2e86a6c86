"""The navigation by role: one table of entries, each with the roles that see it and its row (the primary
row every screen shows, or the "More" disclosure). A new page group adds its entry here; an entry for an
area whose pages are still to come leads to that area's landing page."""

from __future__ import annotations

from typing import Literal

import msgspec

from advocacy.core.roles import Role
from advocacy.web.i18n import N_

Row = Literal["primary", "more"]


class NavEntry(msgspec.Struct, frozen=True, kw_only=True):
    href: str
    label: str  # an English message id, translated by the layout
    current: bool = False


class Navigation(msgspec.Struct, frozen=True, kw_only=True):
    """What the layout draws: the primary row, then the rest under "More" (a <details>, no script)."""

    primary: list[NavEntry] = []
    more: list[NavEntry] = []

    @property
    def more_is_current(self) -> bool:
        return any(entry.current for entry in self.more)

    def __bool__(self) -> bool:
        return bool(self.primary or self.more)


class _Entry(msgspec.Struct, frozen=True, kw_only=True):
    href: str
    label: str
    roles: frozenset[Role] | None  # None: every signed-in person
    row: Row = "more"
    prefixes: tuple[str, ...] = ()  # other paths that belong to this entry


# The primary row holds five entries: on a 390 px phone they and "More" fill two rows of three.
ENTRIES: tuple[_Entry, ...] = (
    _Entry(href="/feed", label=N_("Feed"), roles=None, row="primary", prefixes=("/compose",)),
    _Entry(href="/shares", label=N_("My shares"), roles=None, row="primary"),
    _Entry(href="/points", label=N_("My points"), roles=None, row="primary"),
    _Entry(href="/leaderboards", label=N_("Leaderboards"), roles=None, row="primary"),
    _Entry(href="/me", label=N_("Me"), roles=None, row="primary"),
    _Entry(href="/", label=N_("Getting started"), roles=None, prefixes=("/start", "/ambassador")),
    _Entry(href="/challenges", label=N_("Challenges"), roles=None),
    _Entry(href="/rewards", label=N_("Rewards"), roles=None),
    _Entry(href="/suggestions", label=N_("Suggest a post"), roles=None),
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


def grouped(roles: frozenset[str], path: str) -> Navigation:
    """The same entries split into the primary row and "More"."""
    rows = {e.href: e.row for e in ENTRIES}
    entries = navigation(roles, path)
    return Navigation(
        primary=[e for e in entries if rows[e.href] == "primary"],
        more=[e for e in entries if rows[e.href] == "more"],
    )
