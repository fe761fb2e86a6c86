"""Domain errors shared by every service, and the one map from HTTP status to problem kind and title;
the HTTP layer (advocacy/http/problems.py) turns both into problem details."""

from __future__ import annotations

from typing import Any

from advocacy.core.i18n import LazyText, lazy_gettext, translate

Text = str | LazyText

# status -> (kind, title): the problem type and title of an error that names no kind of its own.
PROBLEMS: dict[int, tuple[str, Text]] = {
    400: ("bad-request", lazy_gettext("Bad request")),
    401: ("unauthenticated", lazy_gettext("Authentication required")),
    403: ("forbidden", lazy_gettext("Forbidden")),
    404: ("not-found", lazy_gettext("Not found")),
    405: ("method-not-allowed", lazy_gettext("Method not allowed")),
    409: ("conflict", lazy_gettext("Conflict")),
    413: ("body-too-large", lazy_gettext("Request body too large")),
    415: ("unsupported-media-type", lazy_gettext("Unsupported media type")),
    422: ("invalid", lazy_gettext("Invalid input")),
    429: ("rate-limited", lazy_gettext("Too many requests")),
    500: ("internal", lazy_gettext("Internal server error")),
    503: ("unavailable", lazy_gettext("Service unavailable")),
}
UNKNOWN_PROBLEM: tuple[str, Text] = ("error", lazy_gettext("Error"))


def problem_for(status: int) -> tuple[str, Text]:
    """(kind, title) of a status, ('error', 'Error') for one the map does not name."""
    return PROBLEMS.get(status, UNKNOWN_PROBLEM)


class DomainError(Exception):
    """A decision a service refuses to make, with a stable kind and an explanation for people.

    The explanation is a `lazy_gettext(...)` message (shown in the reader's language) or a plain string
    (shown as it is: a third party's words, say). `detail` reads it in the current language.
    """

    kind = "domain-error"
    title: Text = lazy_gettext("Request refused")
    status = 400

    def __init__(self, detail: Text, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.message = detail
        self.extra = extra or {}

    @property
    def detail(self) -> str:
        return translate(self.message)

    def detail_in(self, language: str) -> str:
        """The explanation in `language`."""
        return translate(self.message, language)

    def title_in(self, language: str) -> str:
        return translate(self.title, language)

    def __str__(self) -> str:
        return self.detail


class Invalid(DomainError):
    kind, title = PROBLEMS[422]
    status = 422


class NotFound(DomainError):
    kind, title = PROBLEMS[404]
    status = 404


class Forbidden(DomainError):
    kind, title = PROBLEMS[403]
    status = 403


class Conflict(DomainError):
    kind, title = PROBLEMS[409]
    status = 409


class Unauthenticated(DomainError):
    kind, title = PROBLEMS[401]
    status = 401


class TooManyRequests(DomainError):
    kind, title = PROBLEMS[429]
    status = 429

    def __init__(self, detail: Text, *, retry_after: int, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, extra=extra)
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    kind, title = PROBLEMS[413]
    status = 413


class UnsupportedMediaType(DomainError):
    kind, title = PROBLEMS[415]
    status = 415


__all__ = [
    "PROBLEMS",
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "PayloadTooLarge",
    "Text",
    "TooManyRequests",
    "Unauthenticated",
    "UnsupportedMediaType",
    "problem_for",
]
