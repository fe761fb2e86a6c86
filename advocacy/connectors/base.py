"""The common interface every network connector implements, the values it exchanges and its errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import msgspec

from advocacy.core.networks import ConnectedNetwork


class ClientApp(msgspec.Struct, frozen=True, kw_only=True):
    """Our OAuth client at a provider (from settings, or registered per Mastodon instance)."""

    client_id: str
    client_secret: str | None = None


class TokenSet(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scopes: list[str] = msgspec.field(default_factory=list)


class AccountAuth(msgspec.Struct, frozen=True, kw_only=True):
    """What a connector needs to act for one connected account (decrypted, in memory only)."""

    base_url: str
    external_id: str
    access_token: str
    refresh_token: str | None = None


class AccountProfile(msgspec.Struct, frozen=True, kw_only=True):
    external_id: str
    handle: str
    display_name: str | None = None
    followers: int | None = None
    profile_url: str | None = None


class Image(msgspec.Struct, frozen=True, kw_only=True):
    data: bytes
    content_type: str
    alt_text: str = ""


class UploadedImage(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    alt_text: str = ""
    # Bluesky's blob reference, embedded as-is in the post record.
    blob: dict[str, Any] | None = None


class PostDraft(msgspec.Struct, frozen=True, kw_only=True):
    """The post to make: text (caption with the tracked link in it), the link itself, a stable key."""

    text: str
    link: str
    idempotency_key: str
    created_at: datetime


class PublishedPost(msgspec.Struct, frozen=True, kw_only=True):
    external_id: str
    url: str | None = None


class PostMetrics(msgspec.Struct, frozen=True, kw_only=True):
    likes: int = 0
    comments: int = 0
    reposts: int = 0
    impressions: int | None = None  # only where the network exposes it


# --- errors -------------------------------------------------------------------------------------------


class ConnectorError(Exception):
    """A provider call that did not succeed; `detail` is the provider's own explanation when it gave one."""

    def __init__(self, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


class Transient(ConnectorError):
    """Worth retrying later; `sent` says whether the provider may have acted on the request."""

    def __init__(self, detail: str, *, status: int | None = None, sent: bool = False) -> None:
        super().__init__(detail, status=status)
        self.sent = sent


class RateLimited(Transient):
    def __init__(self, detail: str, *, retry_after: float, status: int | None = 429) -> None:
        super().__init__(detail, status=status, sent=False)
        self.retry_after = retry_after


class AuthExpired(ConnectorError):
    """The access token is no longer accepted: refresh it (or ask the person to reconnect)."""


class Rejected(ConnectorError):
    """The provider refused for good (bad request, forbidden, duplicate): retrying will not help."""


class Unsupported(ConnectorError):
    """The network (or the permissions we hold) does not offer this."""


# --- the interface --------------------------------------------------------------------------------------


class Connector(Protocol):
    network: ConnectedNetwork
    # True for OAuth 2 authorization-code networks; Bluesky connects with an app password instead.
    oauth: bool

    def authorize_url(
        self, *, base_url: str, app: ClientApp, state: str, challenge: str, redirect_uri: str
    ) -> str: ...

    async def exchange_code(
        self, *, base_url: str, app: ClientApp, code: str, verifier: str, redirect_uri: str
    ) -> TokenSet: ...

    async def refresh(self, *, app: ClientApp, auth: AccountAuth) -> TokenSet: ...

    async def revoke(self, *, app: ClientApp, auth: AccountAuth) -> None: ...

    async def profile(self, auth: AccountAuth) -> AccountProfile: ...

    async def upload_image(self, auth: AccountAuth, image: Image) -> UploadedImage: ...

    async def create_post(
        self, auth: AccountAuth, post: PostDraft, images: list[UploadedImage]
    ) -> PublishedPost: ...

    async def find_post(self, auth: AccountAuth, post: PostDraft) -> PublishedPost | None:
        """A recent post of the account that carries our tracked link (after an unknown outcome)."""
        ...

    async def metrics(self, auth: AccountAuth, external_id: str) -> PostMetrics: ...
