"""/metrics is not public (METRICS_TOKEN, else loopback only); `advocacy serve` believes X-Forwarded-For from
TRUSTED_PROXIES only, so the address clicks and sign-in throttling see is the real client's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.app import create_app
from advocacy.core.errors import Forbidden, Unauthenticated
from advocacy.runner import uvicorn_config
from advocacy.settings import Settings, SettingsError
from advocacy.system.controllers import check_metrics_caller
from tests.conftest import problem

TOKEN = "scrape-" + "s" * 40


@pytest.fixture
async def metered(settings: Settings, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(settings.replace(metrics_token=TOKEN))) as test_client:
        yield test_client


async def test_metrics_without_the_token_are_refused(metered: AsyncTestClient[Litestar]) -> None:
    assert problem(await metered.get("/metrics"))["status"] == 401
    wrong = await metered.get("/metrics", headers={"Authorization": "Bearer " + "x" * 47})
    assert problem(wrong)["status"] == 401
    right = await metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and "advocacy_outbox_rows" in right.text


async def test_metrics_without_a_token_setting_are_refused_to_a_remote_caller(
    client: AsyncTestClient[Litestar],
) -> None:
    assert problem(await client.get("/metrics"))["status"] == 403


def _scope(address: str) -> dict[str, Any]:
    return {"type": "http", "client": (address, 5000), "headers": []}


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.8.9.10"])
def test_metrics_without_a_token_setting_answer_the_loopback_address(
    settings: Settings, address: str
) -> None:
    check_metrics_caller(settings, _scope(address))


@pytest.mark.parametrize("address", ["10.0.0.5", "203.0.113.9", "::ffff:10.0.0.1", "unknown"])
def test_metrics_without_a_token_setting_refuse_other_addresses(settings: Settings, address: str) -> None:
    with pytest.raises(Forbidden):
        check_metrics_caller(settings, _scope(address))


def test_a_token_setting_also_binds_loopback_callers(settings: Settings) -> None:
    with pytest.raises(Unauthenticated):
        check_metrics_caller(settings.replace(metrics_token=TOKEN), _scope("127.0.0.1"))


def test_a_short_metrics_token_is_refused_at_start(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="METRICS_TOKEN"):
        settings.replace(metrics_token="short")


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.internal", "10.0.0.1,nope"])
def test_a_malformed_trusted_proxy_is_refused_at_start(settings: Settings, value: str) -> None:
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        settings.replace(trusted_proxies=value)


async def _client_seen_by_app(settings: Settings, peer: str, forwarded: str) -> str:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])

    config = uvicorn_config(app, host="127.0.0.1", port=0, settings=settings)
    config.load()
    scope = {
        "type": "http",
        "client": (peer, 40000),
        "scheme": "http",
        "headers": [(b"x-forwarded-for", forwarded.encode())],
    }
    await config.loaded_app(scope, None, None)
    return seen[0]


async def test_serve_takes_the_client_address_from_a_trusted_proxy(settings: Settings) -> None:
    behind = settings.replace(trusted_proxies="10.0.0.0/8, fd00::/8")
    assert await _client_seen_by_app(behind, "10.1.2.3", "198.51.100.7") == "198.51.100.7"
    assert await _client_seen_by_app(behind, "fd00::5", "198.51.100.8") == "198.51.100.8"
    # a proxy chain: the right-most address not itself a trusted proxy is the client
    assert await _client_seen_by_app(behind, "10.1.2.3", "1.2.3.4, 198.51.100.9, 10.9.9.9") == "198.51.100.9"


async def test_serve_ignores_forwarded_addresses_from_anyone_else(settings: Settings) -> None:
    behind = settings.replace(trusted_proxies="10.0.0.0/8")
    assert await _client_seen_by_app(behind, "203.0.113.50", "198.51.100.7") == "203.0.113.50"


async def test_tracked_link_requests_are_counted_under_their_route_not_as_unmatched(
    metered: AsyncTestClient[Litestar],
) -> None:
    assert (await metered.get("/l/AAAAAAAAAAAA", follow_redirects=False)).status_code == 404
    text = (await metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text
    counted = [line for line in text.splitlines() if line.startswith("advocacy_http_requests_total")]
    assert any('route="/l/{code}"' in line for line in counted), counted
    assert not any("unmatched" in line for line in counted), counted
