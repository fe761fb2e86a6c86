"""Domain errors shared by every service, and the one map from HTTP status to problem kind and title;
the HTTP layer (advocacy/http/problems.py) turns both into problem details."""

from __future__ import annotations

from typing import Any

# status -> (kind, title): the problem type and title of an error that names no kind of its own.
PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("body-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid", "Invalid input"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}
UNKNOWN_PROBLEM = ("error", "Error")


def problem_for(status: int) -> tuple[str, str]:
    """(kind, title) of a status, ('error', 'Error') for one the map does not name."""
    return PROBLEMS.get(status, UNKNOWN_PROBLEM)


class DomainError(Exception):
    """A decision a service refuses to make, with a stable kind and an explanation for people."""

    kind = "domain-error"
    title = "Request refused"
    status = 400

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


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

    def __init__(self, detail: str, *, retry_after: int, extra: dict[str, Any] | None = None) -> None:
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
    "TooManyRequests",
    "Unauthenticated",
    "UnsupportedMediaType",
    "problem_for",
]
