"""What a browser does with the provider's pages: follow redirects, fill in its sign-in and consent forms."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action", ""), True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "button" and values.get("name") and values["name"] not in self.fields:
            # the first named button is the one pressed (the provider's "Yes, sign me out" sits outside its form)
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def first_form(html: str) -> tuple[str, dict[str, str]] | None:
    parser = _Form()
    parser.feed(html)
    return None if parser.action is None else (parser.action, parser.fields)


async def through_provider(
    http: httpx.AsyncClient,
    response: httpx.Response,
    issuer: str,
    login: str,
    *,
    stop_at_callback: bool = False,
) -> httpx.Response:
    """From a response on the provider's side, answer its forms (sign in as `login`, consent) until the
    provider sends the browser back; with `stop_at_callback`, the redirect to our callback is not followed."""
    for _ in range(16):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if stop_at_callback and "/sso/oidc/callback" in target:
                return response
            response = await http.get(target)
            continue
        if not str(response.url).startswith(issuer):
            return response
        form = first_form(response.text)
        if form is None:  # a page of the provider's with nothing to answer ("Sign-out Success")
            return response
        action, fields = form
        if "login" in fields:
            fields.update(login=login, password="any password")
        response = await http.post(urljoin(str(response.url), action), data=fields)
    raise AssertionError("the provider kept asking")


async def start_sign_in(
    http: httpx.AsyncClient,
    app_url: str,
    issuer: str,
    login: str,
    *,
    next_url: str = "/",
    stop_at_callback: bool = False,
) -> httpx.Response:
    """Press "Sign in with …" on our sign-in page, then do what the provider asks."""
    started = await http.get(f"{app_url}/sso/oidc/start", params={"next": next_url})
    assert started.status_code == 303 and started.headers["location"].startswith(issuer), started.text
    return await through_provider(http, started, issuer, login, stop_at_callback=stop_at_callback)
