"""Problem details (RFC 9457): every error leaves the API as application/problem+json with a stable type."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from advocacy.core.errors import DomainError, Text, TooManyRequests, problem_for
from advocacy.core.i18n import FALLBACK_LANGUAGE, lazy_gettext, negotiate, translate
from advocacy.http.guards import RoleRequired

log = logging.getLogger("advocacy.errors")
NOT_VALID = lazy_gettext("The request is not valid")

# Paths the API document describes (their errors are problems too); everything else is a web page.
API_PATHS = ("/api/", "/healthz", "/readyz", "/metrics")
PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:advocacy:problem:"


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str
    source: str = "body"


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    extra: dict[str, Any] | None = None


def problem_type(kind: str) -> str:
    return TYPE_PREFIX + kind


def request_language(request: Request[Any, Any, Any] | None) -> str:
    """The language a problem is told in: the caller's Accept-Language, else English (the API's default)."""
    if request is None:
        return FALLBACK_LANGUAGE
    return negotiate(request.headers.get("accept-language")) or FALLBACK_LANGUAGE


def problem_response(
    request: Request[Any, Any, Any] | None,
    *,
    status: int,
    kind: str | None = None,
    title: Text | None = None,
    detail: Text,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """A problem+json answer, its title and detail in the caller's language (see request_language)."""
    default_kind, default_title = problem_for(status)
    language = request_language(request)
    problem = Problem(
        type=problem_type(kind or default_kind),
        title=translate(title or default_title, language),
        status=status,
        detail=translate(detail, language),
        instance=request.url.path if request is not None else None,
        errors=errors,
        extra=extra or None,
    )
    return Response(problem, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    errors = None
    extra = dict(exc.extra)
    if "errors" in extra:
        errors = [FieldError(**e) for e in extra.pop("errors")]
    return problem_response(
        request,
        status=exc.status,
        kind=exc.kind,
        title=exc.title,
        detail=exc.message,
        errors=errors,
        extra=extra,
        headers=headers,
    )


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    errors: list[FieldError] = []
    if isinstance(exc.extra, list):
        for item in exc.extra:
            if isinstance(item, dict):
                errors.append(
                    FieldError(
                        field=str(item.get("key") or "$"),
                        message=str(item.get("message", "invalid")),
                        source=str(getattr(item.get("source"), "value", item.get("source")) or "body"),
                    )
                )
    detail: Text = exc.detail or NOT_VALID
    if "Malformed" in str(detail) or ("JSON" in str(detail) and not errors):
        return problem_response(request, status=400, kind="malformed-body", detail=detail)
    return problem_response(request, status=422, kind="validation", detail=detail, errors=errors or None)


SCIM_ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if request.url.path.startswith("/scim/"):
        # refused before a SCIM route was found (405, 404): a SCIM error, as the SCIM router answers its own
        body = {"schemas": [SCIM_ERROR_URN], "status": str(status), "detail": str(exc.detail)}
        return Response(msgspec.json.encode(body), status_code=status, media_type="application/scim+json")
    if not request.url.path.startswith(API_PATHS) and status in (401, 403, 404, 405):
        if status == 401 and request.method == "GET":  # a page asked for by someone signed out
            path = request.url.path
            return Redirect(
                "/login" if path == "/" else f"/login?next={quote(path, safe='/')}", status_code=303
            )
        return _html_error(status, request_language(request), dict(exc.headers or {}) or None)
    if isinstance(exc, NotAuthorizedException):
        reason = request.scope.get("auth_error")
        return problem_response(request, status=401, detail=str(reason or exc.detail))
    if isinstance(exc, RoleRequired):
        return problem_response(request, status=403, detail=exc.message)
    if isinstance(exc, PermissionDeniedException):
        return problem_response(request, status=403, detail=exc.detail)
    kind = None
    if status == 400 and isinstance(exc.__cause__, SerializationException):  # the body is not valid JSON
        return problem_response(
            request,
            status=400,
            kind="malformed-body",
            detail=lazy_gettext("Malformed JSON body: %(reason)s", reason=exc.detail),
        )
    if status == 400 and "body" in (exc.detail or "").lower() and "size" in (exc.detail or "").lower():
        status, kind = 413, "body-too-large"
    headers = dict(exc.headers or {})
    return problem_response(request, status=status, kind=kind, detail=exc.detail, headers=headers or None)


def _not_utf8(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Problem]:
    # Litestar lets a body that is not UTF-8 escape its JSON decoding as a bare UnicodeDecodeError.
    return problem_response(
        request,
        status=400,
        kind="malformed-body",
        detail=lazy_gettext(
            "Malformed body: it is not valid UTF-8 (byte %(byte)s: %(reason)s)",
            byte=exc.start,
            reason=exc.reason,
        ),
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail=lazy_gettext("Something went wrong on our side; the error was logged with this request's id"),
    )


def _html_error(status: int, language: str, headers: dict[str, str] | None = None) -> Response[str]:
    title = translate(problem_for(status)[1], language)
    body = (
        f"<!doctype html><html lang='{language}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<link rel='stylesheet' href='/static/app.css'><title>"
        f"{status} {title}</title></head><body><main class='page'><h1>{status} {title}</h1>"
        "<p><a href='/'>Advocacy</a></p></main></body></html>"
    )
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=headers)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    UnicodeDecodeError: _not_utf8,
    HTTP_500_INTERNAL_SERVER_ERROR: _internal_error,
    Exception: _internal_error,
}
