"""Pure mapping from a provider's claims or attributes to a person's fields and roles (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from advocacy.core.roles import Role
from advocacy.identity.sso.schemas import ClaimMapping, GroupRole, MappedProfile

MAX_FIELD = 120


def _first(attributes: Mapping[str, Any], names: Sequence[str]) -> Any:
    for name in names:
        value = attributes.get(name)
        if isinstance(value, list | tuple):  # SAML attributes are lists of values
            value = next((v for v in value if v not in (None, "")), None)
        if value not in (None, ""):
            return value
    return None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())[:MAX_FIELD]
    return text or None


def _groups(attributes: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    for name in names:
        value = attributes.get(name)
        if isinstance(value, str) and value:
            return [value]
        if isinstance(value, list | tuple) and value:
            return [v for v in value if isinstance(v, str) and v]
    return []


def language_of(value: str | None) -> str | None:
    """fr or en from a locale such as 'fr-FR', 'en_GB' or 'EN'; None for any other language."""
    if not value:
        return None
    code = value.replace("_", "-").split("-", 1)[0].lower()
    return code if code in ("fr", "en") else None


def _verified(attributes: Mapping[str, Any]) -> bool:
    # Providers that say nothing (Entra ID, SAML) vouch for the address they send; only an explicit
    # `email_verified: false` (a user-typed, unconfirmed address) is not trusted to find an account.
    value = attributes.get("email_verified")
    return value is not False and str(value).lower() != "false"


def map_profile(attributes: Mapping[str, Any], claims: ClaimMapping) -> MappedProfile:
    """The person's fields as the mapping reads them from `attributes`."""
    email = _text(_first(attributes, claims.email))
    name = _text(_first(attributes, claims.name))
    if name is None:
        parts = [_text(attributes.get(k)) for k in ("given_name", "family_name")]
        name = " ".join(p for p in parts if p) or None
    return MappedProfile(
        email=email.strip() if email else None,
        email_verified=_verified(attributes),
        display_name=name,
        team=_text(_first(attributes, claims.team)),
        location=_text(_first(attributes, claims.location)),
        language=language_of(_text(_first(attributes, claims.language))),
        groups=_groups(attributes, claims.groups),
    )


def roles_for_groups(groups: Iterable[str], table: Sequence[GroupRole]) -> set[Role]:
    """The roles the group → role table gives members of these groups (employee always), compared as the
    provider spells them (group ids are case-sensitive at Entra ID)."""
    held = set(groups)
    return {Role.EMPLOYEE} | {row.role for row in table if row.group in held}
