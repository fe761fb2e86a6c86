"""The `scim2-tester` conformance checks, run against the app (its ASGI app through Litestar's test client,
which serves it from its own event loop): every check passes."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from scim2_client import BaseSyncSCIMClient
from scim2_tester import Status, check_server

from tests.conftest import bearer
from tests.integration.scim.conftest import SCIM


class LitestarSCIMClient(BaseSyncSCIMClient):
    """scim2-client's synchronous client over Litestar's TestClient (an httpx.Client)."""

    def __init__(self, client: TestClient[Litestar], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url = self.client.build_request("GET", endpoint).url
        base = self.client.base_url
        return url.host == base.host and url.path.startswith(base.path)

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.client.request(method, url, **kwargs)


def test_scim2_tester_finds_no_failure(app: Litestar, scim_token: str) -> None:
    with TestClient(app=app, base_url=f"http://testserver.local{SCIM}/") as http:
        http.headers.update(bearer(scim_token))
        results = check_server(LitestarSCIMClient(http))
    failures = [f"{r.title}: {r.reason}" for r in results if r.status == Status.ERROR]
    passed = [r for r in results if r.status == Status.SUCCESS]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    assert len(passed) > 50
