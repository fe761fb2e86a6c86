"""Refusals of the identity domain that the shared errors do not say: a link that no longer works."""

from __future__ import annotations

from advocacy.core.errors import DomainError


class LinkGone(DomainError):
    """An invitation or reset link that was used, revoked or has expired (410, with a kind saying which)."""

    status = 410
    title = "This link no longer works"

    def __init__(self, detail: str, *, kind: str) -> None:
        super().__init__(detail)
        self.kind = kind


class SecondFactorRequired(DomainError):
    """The password was right; a TOTP or recovery code is still needed (or to be set up, when required)."""

    status = 401
    kind = "second-factor-required"
    title = "Second factor required"
