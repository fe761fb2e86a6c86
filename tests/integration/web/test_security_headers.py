"""Security headers on every answer (pages, API, errors, files), HSTS only over https, and the API docs
page served offline: its scripts and styles come from our own origin and pass the CSP."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

from advocacy.app import create_app
from advocacy.http.security_headers import CONTENT_SECURITY_POLICY
from advocacy.settings import Settings

PATHS = [
    "/login",
    "/api/v1/me",
    "/api/v1/charter",
    "/healthz",
    "/static/app.css",
    "/no-such-page",
    "/api/docs",
]


def assert_hardened(response: Any) -> None:
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert (
        script_src and "unsafe-inline" not in script_src.group(1) and "unsafe-eval" not in script_src.group(1)
    )
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]


async def test_every_kind_of_answer_carries_the_headers_and_no_hsts_over_http(client: Any) -> None:
    for path in PATHS:
        response = await client.get(path, follow_redirects=False)
        assert_hardened(response)
        assert "strict-transport-security" not in response.headers, path
    posted = await client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "y"})
    assert posted.status_code in (401, 422) and posted.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert_hardened(posted)


async def test_hsts_is_sent_when_the_public_address_is_https(settings: Settings, clean: None) -> None:
    secure = create_app(msgspec.structs.replace(settings, public_base_url="https://advocacy.example.com"))
    async with AsyncTestClient(app=secure) as https_client:
        for path in ("/login", "/api/v1/me"):
            response = await https_client.get(path)
            assert response.headers["strict-transport-security"].startswith("max-age=31536000")
            assert_hardened(response)


async def test_the_docs_page_loads_nothing_from_another_origin_and_runs_no_inline_script(client: Any) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"(?:https?:)?//", html), "the docs page names another origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), (
        "an inline script would be refused by the CSP"
    )
    assert "style=" not in html and "<style" not in html
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 100
    document = await client.get(re.search(r'data-spec-url="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.")


def test_the_policy_allows_nothing_but_our_origin_for_code() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
