"""Domain errors shared by every service; the HTTP layer turns them into problem details."""

from __future__ import annotations

from typing import Any


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
    kind = "invalid"
    title = "Invalid input"
    status = 422


class NotFound(DomainError):
    kind = "not-found"
    title = "Not found"
    status = 404


class Forbidden(DomainError):
    kind = "forbidden"
    title = "Forbidden"
    status = 403


class Conflict(DomainError):
    kind = "conflict"
    title = "Conflict"
    status = 409


class Unauthenticated(DomainError):
    kind = "unauthenticated"
    title = "Authentication required"
    status = 401


class TooManyRequests(DomainError):
    kind = "rate-limited"
    title = "Too many requests"
    status = 429

    def __init__(self, detail: str, *, retry_after: int, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, extra=extra)
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    kind = "body-too-large"
    title = "Request body too large"
    status = 413


class UnsupportedMediaType(DomainError):
    kind = "unsupported-media-type"
    title = "Unsupported media type"
    status = 415
