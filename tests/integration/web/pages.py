"""Helpers for page tests: sign in through the form, read the CSRF field, post a form as a browser would."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    return await client.post("/login", data={"email": email, "password": password}, follow_redirects=False)


async def post_form(client: Any, path: str, data: dict[str, Any], *, page: str = "/") -> Any:
    """Post `data` with the CSRF field of `page`, without following the redirect."""
    csrf = csrf_of((await client.get(page)).text)
    return await client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
