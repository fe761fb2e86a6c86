"""Fake LinkedIn, X, Mastodon and Bluesky servers on 127.0.0.1, settings pointing at them, and helpers
that make a connected account and a ready direct share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest
from cryptography.fernet import Fernet
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.app import create_app
from advocacy.connectors import service
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry
from advocacy.connectors.schemas import BlueskyConnectBody, ConnectedAccountRead, ConnectStartBody
from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.factories import Someone
from tests.fakes import bluesky as fake_bluesky
from tests.fakes import linkedin as fake_linkedin
from tests.fakes import x as fake_x
from tests.fakes.base import FakeServer
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX

KEY_ONE = Fernet.generate_key().decode()


class Fakes(msgspec.Struct, kw_only=True):
    linkedin: FakeLinkedIn
    x: FakeX
    mastodon: FakeMastodon
    bluesky: FakeBluesky

    def all(self) -> list[Any]:
        return [self.linkedin, self.x, self.mastodon, self.bluesky]


@pytest.fixture(scope="session")
def fake_servers() -> Iterator[Fakes]:
    fakes = Fakes(linkedin=FakeLinkedIn(), x=FakeX(), mastodon=FakeMastodon(), bluesky=FakeBluesky())
    servers = []
    for network in fakes.all():
        server = FakeServer(network.app())
        network.base_url = server.start()
        servers.append(server)
    yield fakes
    for server in servers:
        server.stop()


@pytest.fixture
def fakes(fake_servers: Fakes) -> Fakes:
    for network in fake_servers.all():
        network.reset()
    return fake_servers


@pytest.fixture(scope="session")
def net_settings(settings: Settings, fake_servers: Fakes) -> Settings:
    return settings.replace(
        linkedin_auth_url=fake_servers.linkedin.base_url,
        linkedin_api_url=fake_servers.linkedin.base_url,
        linkedin_client_id=fake_linkedin.CLIENT_ID,
        linkedin_client_secret=fake_linkedin.CLIENT_SECRET,
        x_auth_url=fake_servers.x.base_url,
        x_api_url=fake_servers.x.base_url,
        x_client_id=fake_x.CLIENT_ID,
        x_client_secret=fake_x.CLIENT_SECRET,
        bluesky_service_url=fake_servers.bluesky.base_url,
        fetch_allow_private=True,
        token_encryption_keys=KEY_ONE,
        connector_timeout_seconds=2.0,
    )


@pytest.fixture
async def registry(net_settings: Settings, fakes: Fakes) -> AsyncIterator[Registry]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0)) as client:
        yield Registry(net_settings, client, media_poll_delay=0.0)


@pytest.fixture
def cipher(net_settings: Settings) -> TokenCipher:
    return TokenCipher.from_settings(net_settings)


@pytest.fixture(scope="session")
def net_app(net_settings: Settings) -> Litestar:
    return create_app(net_settings)


@pytest.fixture
async def api(net_app: Litestar, clean: None, fakes: Fakes) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=net_app) as client:
        yield client


async def follow_authorize(authorize_url: str) -> dict[str, str]:
    """Play the browser at the provider: the fake authorises at once and redirects back with code+state."""
    async with httpx.AsyncClient() as client:
        response = await client.get(authorize_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}


async def connect(
    db: Database,
    registry: Registry,
    cipher: TokenCipher,
    someone: Someone,
    network: str,
    *,
    instance: str | None = None,
) -> ConnectedAccountRead:
    if network == "bluesky":
        body = BlueskyConnectBody(identifier=fake_bluesky.HANDLE, app_password=fake_bluesky.APP_PASSWORD)
        return await service.connect_bluesky(db, registry, cipher, someone.person_id, body)
    started = await service.start_connect(
        db, registry, cipher, someone.person_id, network, ConnectStartBody(instance=instance)
    )
    back = await follow_authorize(started.authorize_url)
    return await service.finish_connect(
        db, registry, cipher, someone.person_id, network, code=back["code"], state=back["state"]
    )


async def direct_share(
    db: Database, someone: Someone, network: str, caption: str = "Nous recrutons !", *, with_link: bool = True
) -> int:
    """A ready share in direct mode with its tracked link, as the share flow leaves it for the publish job."""
    async with db.transaction() as conn:
        item_id = await conn.fetchval(
            "INSERT INTO content_items (title, link, status) VALUES ('Post', 'https://example.com/jobs', 'approved')"
            " RETURNING id"
        )
        share_id: int = await conn.fetchval(
            "INSERT INTO shares (person_id, content_item_id, network, status, mode, language, caption, verdict, ready_at)"
            ' VALUES ($1, $2, $3, \'ready\', \'direct\', \'fr\', $4, \'{"decision": "allow", "findings": [], "charter_version": 1, "text_sha256": "x"}\'::jsonb, now()) RETURNING id',
            someone.person_id,
            item_id,
            network,
            caption,
        )
        if with_link:
            await conn.execute(
                "INSERT INTO tracked_links (code, share_id, target) VALUES ($1, $2, 'https://example.com/jobs')",
                f"code{share_id:08d}",
                share_id,
            )
    return share_id
