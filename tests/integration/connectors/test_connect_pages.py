"""Connecting from the web app: the page's form starts the network's OAuth flow, the network's callback
brings the browser back to the page (API clients still get JSON), and disconnecting from the page."""

from __future__ import annotations

from typing import Any

from tests.factories import Factory
from tests.integration.connectors.conftest import Fakes, follow_authorize
from tests.integration.web.pages import PASSWORD, post_form, sign_in


async def test_connecting_x_from_the_page_comes_back_to_the_page_and_disconnects_there(
    api: Any, factory: Factory, fakes: Fakes
) -> None:
    await factory.person(ambassador=True, password=PASSWORD, email="ann@example.com", language="en")
    await sign_in(api, "ann@example.com")
    started = await post_form(api, "/me/accounts/x/connect", {}, page="/me/accounts")
    assert started.status_code == 303 and started.headers["location"].startswith(fakes.x.base_url)
    back = await follow_authorize(started.headers["location"])
    done = await api.get(
        "/api/v1/me/connections/x/callback", params=back, headers={"Accept": "text/html,*/*;q=0.8"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/me/accounts?done=connected"
    page = (await api.get("/me/accounts?done=connected")).text
    assert "Your account is connected." in page and "alice_m" in page
    account = (await api.get("/api/v1/me/connections")).json()["accounts"][0]["id"]
    gone = await post_form(api, f"/me/accounts/{account}/disconnect", {}, page="/me/accounts")
    assert gone.headers["location"] == "/me/accounts?done=disconnected"
    assert (await api.get("/api/v1/me/connections")).json()["accounts"] == []


async def test_a_mastodon_server_that_is_not_an_address_is_refused_next_to_its_field(
    api: Any, factory: Factory, fakes: Fakes
) -> None:
    await factory.person(ambassador=True, password=PASSWORD, email="ann@example.com", language="en")
    await sign_in(api, "ann@example.com")
    refused = await post_form(
        api,
        "/me/accounts/mastodon/connect",
        {"instance": "https://mastodon.example/@me"},
        page="/me/accounts",
    )
    assert refused.status_code == 422 and 'id="instance-error"' in refused.text
    assert 'value="https://mastodon.example/@me"' in refused.text
