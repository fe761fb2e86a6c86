"""The authentication middleware reads the session cookie without SimpleCookie's parser when the header is
plain name=value pairs: it finds the same session as SimpleCookie does."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from advocacy.auth.service import SESSION_COOKIE
from advocacy.http.middleware import _session_cookie

HEADERS = [
    f"{SESSION_COOKIE}=abc-DEF_123",
    f"lang=fr; {SESSION_COOKIE}=abc; theme=dark",
    f"{SESSION_COOKIE}=first; {SESSION_COOKIE}=second",
    f"x{SESSION_COOKIE}=nope",
    f"{SESSION_COOKIE}x=nope; other=1",
    f"{SESSION_COOKIE}=",
    f"a=1;{SESSION_COOKIE}=tight",
    f'{SESSION_COOKIE}="quoted"; a=1',
    "lang=fr",
]


def _simple_cookie(raw: str) -> str | None:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(raw)
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel and morsel.value else None


@pytest.mark.parametrize("raw", HEADERS)
def test_the_session_cookie_is_the_one_simple_cookie_finds(raw: str) -> None:
    scope = {"headers": [(b"cookie", raw.encode())]}
    assert _session_cookie(scope) == _simple_cookie(raw)
