"""Builds each network's connector from settings around one HTTP client (base URLs come from settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from advocacy.connectors.base import (
    ClientApp,
    Connector,
)
from advocacy.connectors.bluesky import BlueskyConnector
from advocacy.connectors.linkedin import LinkedInConnector
from advocacy.connectors.mastodon import MastodonConnector
from advocacy.connectors.x import XConnector
from advocacy.core.networks import ConnectedNetwork
from advocacy.settings import Settings
from content_library.sources.safe_fetch import FetchPolicy, pinned_transport

USER_AGENT = "Advocacy/1.0 (employee advocacy; direct publishing)"


class Registry:
    def __init__(
        self, settings: Settings, client: httpx.AsyncClient, *, media_poll_delay: float = 0.5
    ) -> None:
        self.settings = settings
        self.client = client
        self.linkedin = LinkedInConnector(
            client, auth_url=settings.linkedin_auth_url, api_url=settings.linkedin_api_url
        )
        self.x = XConnector(client, auth_url=settings.x_auth_url, api_url=settings.x_api_url)
        self.mastodon = MastodonConnector(client, media_poll_delay=media_poll_delay)
        self.bluesky = BlueskyConnector(client, service_url=settings.bluesky_service_url)

    def connector(self, network: ConnectedNetwork) -> Connector:
        if network == "linkedin":
            return self.linkedin
        if network == "x":
            return self.x
        if network == "mastodon":
            return self.mastodon
        return self.bluesky

    def default_base_url(self, network: ConnectedNetwork) -> str:
        return {
            "linkedin": self.settings.linkedin_api_url,
            "x": self.settings.x_api_url,
            "mastodon": "",
            "bluesky": self.settings.bluesky_service_url,
        }[network].rstrip("/")

    def settings_app(self, network: ConnectedNetwork) -> ClientApp | None:
        """Our client credentials for LinkedIn and X (Mastodon registers per instance; Bluesky needs none)."""
        if network == "linkedin" and self.settings.linkedin_client_id:
            return ClientApp(
                client_id=self.settings.linkedin_client_id,
                client_secret=self.settings.linkedin_client_secret or None,
            )
        if network == "x" and self.settings.x_client_id:
            return ClientApp(
                client_id=self.settings.x_client_id, client_secret=self.settings.x_client_secret or None
            )
        return None


def new_client(settings: Settings) -> httpx.AsyncClient:
    """One client for every network: a Mastodon server or a PDS is an address someone typed, so each
    connection is pinned to an address checked public (content_library's pinned_transport)."""
    return httpx.AsyncClient(
        transport=pinned_transport(FetchPolicy(allow_private=settings.fetch_allow_private)),
        timeout=httpx.Timeout(
            settings.connector_timeout_seconds, connect=min(10.0, settings.connector_timeout_seconds)
        ),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )


@asynccontextmanager
async def open_registry(settings: Settings) -> AsyncIterator[Registry]:
    async with new_client(settings) as client:
        yield Registry(settings, client)
