"""Who may call a route: every handler declares an `Allow` guard; the app refuses to start otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from advocacy.core.i18n import N_, LazyText, lazy_gettext
from advocacy.core.roles import Role, has_any_role

# Role is re-exported for imports written before advocacy.core existed; remove once none uses it.
__all__ = [
    "ACCESS_OPT",
    "ANY_PERSON",
    "PUBLIC",
    "Allow",
    "Role",
    "RoleRequired",
    "check_access_in_middleware",
    "declared_access",
]


class RoleRequired(PermissionDeniedException):
    """A 403 whose explanation is a catalogue message (the problem handler tells it in the caller's language)."""

    def __init__(self, message: LazyText) -> None:
        super().__init__(message.in_language("en"))
        self.message = message


class Allow:
    """A guard naming who may call: `PUBLIC`, `ANY_PERSON` (signed in, any role) or a set of roles.

    Admin passes every role check (advocacy.core.roles). When several layers
    (router, controller, route) declare one, the closest to the route replaces the others.
    """

    def __init__(self, *roles: Role, public: bool = False, any_person: bool = False) -> None:
        self.roles = frozenset(roles)
        self.public = public
        self.any_person = any_person

    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        # Used as a Litestar guard only where check_access_in_middleware() has not run (it does for the app).
        if declared_access(handler) is self:
            self.check(connection.scope.get("user"))

    def check(self, user: Any) -> None:
        """Raise the 401 or 403 a caller who is `user` (None: anonymous) gets."""
        if self.public:
            return
        if user is None:
            raise NotAuthorizedException(
                N_("Sign in, or send an API token as 'Authorization: Bearer <token>'")
            )
        if self.any_person or has_any_role(user.roles, self.roles):
            return
        needed = " or ".join(sorted(self.roles))
        raise RoleRequired(lazy_gettext("This needs the %(roles)s role", roles=needed))

    def admits(self, roles: Iterable[str] | None) -> bool:
        """Whether a caller with these roles (None: anonymous) passes; used by the route walk test."""
        if self.public:
            return True
        if roles is None:
            return False
        return self.any_person or has_any_role(frozenset(roles), self.roles)

    def __repr__(self) -> str:
        if self.public:
            return "Allow(public)"
        if self.any_person:
            return "Allow(any person)"
        return f"Allow({', '.join(sorted(self.roles))})"


PUBLIC = Allow(public=True)
ANY_PERSON = Allow(any_person=True)


def declared_access(handler: BaseRouteHandler) -> Allow | None:
    """The Allow guard closest to the handler, or None when none was declared."""
    for layer in reversed(handler.ownership_layers):
        for guard in reversed(list(getattr(layer, "guards", None) or [])):
            if isinstance(guard, Allow):
                return guard
    return None


ACCESS_OPT = "allow"


def check_access_in_middleware(handlers: Iterable[BaseRouteHandler]) -> None:
    """Record each handler's declared Allow in its `opt` for AuthenticationMiddleware to enforce, and take
    the Allow guards out of Litestar's hands.

    Litestar runs each guard with a fresh copy of the route handler object, which cost more per request
    than everything else authentication does; the middleware already knows the route and the caller.
    The declarations stay where they are read (the `guards` of each layer, see declared_access).
    """
    for handler in handlers:
        handler.opt[ACCESS_OPT] = declared_access(handler)
        others = [guard for guard in handler.resolve_guards() if not isinstance(guard, Allow)]
        handler._resolved_guards = others  # Litestar's cache of the guards it runs for this route
