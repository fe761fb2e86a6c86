"""One place that turns a provider's HTTP answer into our connector errors (429, 401, 5xx, timeouts)."""

from __future__ import annotations

import email.utils
import time
from datetime import datetime
from typing import Any

import httpx

from advocacy.connectors.base import (
    AuthExpired,
    RateLimited,
    Rejected,
    Transient,
)

DEFAULT_RETRY_AFTER = 60.0
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float:
    """Seconds to wait from Retry-After (seconds or HTTP date) or a network's rate-limit reset header."""
    now = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is not None:
            return max(0.0, parsed.timestamp() - now)
    # X (x-rate-limit-reset) and Bluesky (ratelimit-reset): epoch seconds; Mastodon: an ISO 8601 time.
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        reset = headers.get(name)
        if not reset:
            continue
        reset = reset.strip()
        try:
            if reset.isdigit():
                return max(0.0, float(reset) - now)
            return max(0.0, datetime.fromisoformat(reset.replace("Z", "+00:00")).timestamp() - now)
        except ValueError:
            continue
    return DEFAULT_RETRY_AFTER


def provider_message(response: httpx.Response) -> str:
    """The explanation in a provider's error body (each network names it differently)."""
    try:
        body: Any = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] or f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for key in ("detail", "message", "error_description", "error", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or errors[0].get("detail") or errors[0])[:300]
    return f"HTTP {response.status_code}"


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    expect: tuple[int, ...] = (200, 201),
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; raise RateLimited, AuthExpired, Transient (with `sent`) or Rejected unless expected."""
    unsafe = method.upper() in _UNSAFE
    try:
        response = await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise Transient(f"could not reach {httpx.URL(url).host}: {type(exc).__name__}", sent=False) from exc
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        # The request may have arrived: for a POST the outcome is unknown.
        raise Transient(f"no answer from {httpx.URL(url).host}: {type(exc).__name__}", sent=unsafe) from exc
    status = response.status_code
    if status in expect:
        return response
    message = provider_message(response)
    if status == 429:
        raise RateLimited(message, retry_after=retry_after_seconds(response.headers))
    if status == 401:
        raise AuthExpired(message, status=status)
    if status >= 500 or status == 408:
        if status == 503 and "retry-after" in response.headers:
            raise RateLimited(message, retry_after=retry_after_seconds(response.headers), status=status)
        raise Transient(message, status=status, sent=unsafe and status != 408)
    raise Rejected(message, status=status)


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise Transient(
            f"unreadable answer (HTTP {response.status_code})", status=response.status_code
        ) from None
    if not isinstance(body, dict):
        raise Transient("unexpected answer shape", status=response.status_code)
    return body
