"""Refusals of single sign-on that the shared errors do not say."""

from __future__ import annotations

from advocacy.core.errors import DomainError
from advocacy.core.i18n import lazy_gettext


class PasswordLoginOff(DomainError):
    """The organisation signs people in through its provider; passwords work for break-glass admins only."""

    status = 403
    kind = "password-login-off"
    title = lazy_gettext("Password sign-in is off")


class SsoRefused(DomainError):
    """The provider's answer was not accepted, or it vouched for someone who may not sign in here."""

    status = 403
    kind = "sso-refused"
    title = lazy_gettext("Single sign-on refused")
