"""Who may call a route: every handler declares an `Allow` guard; the app refuses to start otherwise."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Controller, Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from advocacy.core.i18n import N_, LazyText, lazy_gettext
from advocacy.core.roles import Role, has_any_role

__all__ = [
    "ACCESS_OPT",
    "ANY_PERSON",
    "PUBLIC",
    "SCIM",
    "Allow",
    "RoleRequired",
    "declare_access_in_opt",
    "declared_access",
]


class RoleRequired(PermissionDeniedException):
    """A 403 whose explanation is a catalogue message (the problem handler tells it in the caller's language)."""

    def __init__(self, message: LazyText) -> None:
        super().__init__(message.in_language("en"))
        self.message = message


class Allow:
    """A guard naming who may call: `PUBLIC`, `ANY_PERSON` (signed in, any role), a set of roles, or `SCIM`
    (a SCIM token, and nothing else).

    Admin passes every role check (advocacy.core.roles). A SCIM token (advocacy.scim) is refused everywhere
    but on the routes that declare `SCIM`, public ones included. When several layers (router, controller,
    route) declare one, the closest to the route replaces the others.
    """

    def __init__(
        self, *roles: Role, public: bool = False, any_person: bool = False, scim: bool = False
    ) -> None:
        self.roles = frozenset(roles)
        self.public = public
        self.any_person = any_person
        self.scim = scim

    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        # A Litestar guard only where declare_access_in_opt() has not run (it does for the app).
        if declared_access(handler) is self:
            self.check(connection.scope.get("user"))

    def check(self, user: Any) -> None:
        """Raise the 401 or 403 a caller who is `user` (None: anonymous) gets."""
        scim_client = getattr(user, "via", None) == "scim"
        if self.scim:
            if user is None:
                raise NotAuthorizedException(N_("Send a SCIM token as 'Authorization: Bearer <token>'"))
            if not scim_client:
                raise RoleRequired(lazy_gettext("Only a SCIM token may call the SCIM service"))
            return
        if scim_client:
            raise RoleRequired(lazy_gettext("A SCIM token grants the SCIM service and nothing else"))
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
        if self.scim:
            return False  # no person passes: only a SCIM token does
        if self.public:
            return True
        if roles is None:
            return False
        return self.any_person or has_any_role(frozenset(roles), self.roles)

    def __repr__(self) -> str:
        if self.scim:
            return "Allow(scim)"
        if self.public:
            return "Allow(public)"
        if self.any_person:
            return "Allow(any person)"
        return f"Allow({', '.join(sorted(self.roles))})"


PUBLIC = Allow(public=True)
ANY_PERSON = Allow(any_person=True)
SCIM = Allow(scim=True)


ACCESS_OPT = "allow"


def declared_access(handler: BaseRouteHandler) -> Allow | None:
    """The Allow declared closest to the handler, or None when none was declared.

    In the app the declarations live in each layer's `opt` (see declare_access_in_opt), which Litestar
    merges closest-layer-first; an Allow still used as a plain Litestar guard is found in the guards.
    """
    access = handler.opt.get(ACCESS_OPT)
    if isinstance(access, Allow):
        return access
    for layer in reversed(handler.ownership_layers):
        for guard in reversed(list(getattr(layer, "guards", None) or [])):
            if isinstance(guard, Allow):
                return guard
    return None


def declare_access_in_opt(route_handlers: Iterable[Any]) -> None:
    """Before the app registers them, move each layer's Allow guard into the layer's `opt` (ACCESS_OPT),
    where AuthenticationMiddleware reads it; Litestar then runs no Allow guard.

    Litestar runs each guard with a fresh copy of the route handler object, which cost more per request
    than everything else authentication does; the middleware already knows the route and the caller.
    Only public attributes change (`guards` and `opt` of controllers, routers and route handlers), and
    Litestar's own opt merge keeps "the declaration closest to the route wins". Running it twice is harmless.
    """
    for item in route_handlers:
        if isinstance(item, type) and issubclass(item, Controller):
            _move_to_opt(item)
            for value in vars(item).values():
                if isinstance(value, BaseRouteHandler):
                    _move_to_opt(value)
        elif isinstance(item, Router):
            _move_to_opt(item)
            for route in item.routes:
                for handler in getattr(route, "route_handlers", None) or [
                    getattr(route, "route_handler", None)
                ]:
                    if handler is not None:
                        _move_to_opt(handler)
        elif isinstance(item, BaseRouteHandler):
            _move_to_opt(item)


def _move_to_opt(layer: Any) -> None:
    # On a Controller class an attribute it does not set is Litestar's slot descriptor, not a value.
    guards = getattr(layer, "guards", None)
    guards = list(guards) if isinstance(guards, list | tuple) else []
    allows = [guard for guard in guards if isinstance(guard, Allow)]
    if allows:
        opt = getattr(layer, "opt", None)
        layer.guards = [guard for guard in guards if not isinstance(guard, Allow)]
        layer.opt = {**(opt if isinstance(opt, Mapping) else {}), ACCESS_OPT: allows[-1]}
