"""Schemathesis hooks for the API fuzzer: every 4xx answer is an RFC 9457 problem."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def four_xx_is_a_problem(ctx: Any, response: Any, case: Any) -> bool | None:
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), (
            f"a {response.status_code} answered {content_type or 'no content type'}, not application/problem+json"
        )
        body = response.json()
        assert body.get("status") == response.status_code and str(body.get("type", "")).startswith(
            "urn:advocacy:problem:"
        ), f"not one of our problems: {body}"
    return None
