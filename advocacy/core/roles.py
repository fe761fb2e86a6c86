"""Roles a person holds, and the rule that an administrator passes every role check."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "employee"
    CURATOR = "curator"
    REVIEWER = "reviewer"
    COMPLIANCE = "compliance"
    HR = "hr"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)


def effective_roles(held: Iterable[str]) -> frozenset[str]:
    """The roles a person acts with: an administrator acts with every role."""
    roles = frozenset(held)
    return roles | ALL_ROLES if Role.ADMIN in roles else roles


def has_any_role(held: Collection[str], needed: Iterable[str]) -> bool:
    """Whether someone holding `held` passes a check for any of `needed` (administrators always do)."""
    return Role.ADMIN in held or not frozenset(held).isdisjoint(needed)
