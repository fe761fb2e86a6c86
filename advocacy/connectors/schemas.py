"""Connected accounts: what the API shows about them, what it accepts, and the rows behind them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.core.networks import ConnectedNetwork, NetworkCode

# What connecting stores, shown with the list of accounts (a privacy step: people decide knowing this).
WHAT_IS_STORED = {
    "en": (
        "Connecting an account stores: the network, your account id and handle, your display name and "
        "profile link, your follower count (to estimate reach), the permissions you granted, and the access "
        "and refresh tokens the network issued, encrypted. Nothing is read from your feed or messages. We "
        "post only the shares you ask to publish directly, then read their likes, comments and reposts. "
        "Disconnecting (or opting out) revokes the tokens at the network and deletes all of this."
    ),
    "fr": (
        "Connecter un compte enregistre : le réseau, l'identifiant et le nom de votre compte, votre nom "
        "affiché et le lien de votre profil, votre nombre d'abonnés (pour estimer la portée), les "
        "autorisations accordées, et les jetons d'accès et de renouvellement émis par le réseau, chiffrés. "
        "Rien n'est lu de votre fil ni de vos messages. Nous ne publions que les partages que vous demandez "
        "de publier directement, puis lisons leurs j'aime, commentaires et repartages. Déconnecter (ou vous "
        "désinscrire) révoque les jetons auprès du réseau et efface tout cela."
    ),
}


class ConnectedAccountRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    network: ConnectedNetwork
    handle: str
    display_name: str | None
    profile_url: str | None
    base_url: str
    scopes: list[str]
    followers: int | None
    status: Literal["active", "needs_reconnect"]
    status_reason: str | None
    connected_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class Connections(msgspec.Struct, frozen=True, kw_only=True):
    accounts: list[ConnectedAccountRead]
    what_is_stored: dict[str, str]


class ConnectStartBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # Mastodon only: the employee's own server, e.g. https://mastodon.social or mastodon.social
    instance: Annotated[str, Meta(min_length=3, max_length=260)] | None = None


class ConnectStart(msgspec.Struct, frozen=True, kw_only=True):
    """Send the browser to `authorize_url`; the network comes back to our callback with `state`."""

    authorize_url: str
    expires_at: datetime


class BlueskyConnectBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    identifier: Annotated[
        str, Meta(min_length=3, max_length=253, description="handle, e.g. alice.bsky.social")
    ]
    app_password: Annotated[
        str,
        Meta(
            min_length=8,
            max_length=64,
            description="an app password made at bsky.app; used once, never stored",
        ),
    ]


class AudienceDeclare(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    followers: Annotated[int, Meta(ge=0, le=1_000_000_000)]


class AudienceRead(msgspec.Struct, frozen=True, kw_only=True):
    network: NetworkCode
    followers: int
    source: Literal["declared", "fetched"]
    updated_at: datetime


# --- rows ------------------------------------------------------------------------------------------------


class EncryptedRow(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a table holding ciphertexts, for key rotation: its key (an id, a hash or a name) and up to
    two ciphertext columns."""

    key: Any
    first: bytes
    second: bytes | None


class AccountRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    public_id: UUID
    person_id: int
    network: ConnectedNetwork
    base_url: str
    external_id: str
    handle: str
    access_token: bytes
    refresh_token: bytes | None
    expires_at: datetime | None
    status: str


class StateRow(msgspec.Struct, frozen=True, kw_only=True):
    person_id: int
    network: ConnectedNetwork
    base_url: str
    code_verifier: bytes
    redirect_uri: str
    expires_at: datetime
    used_at: datetime | None
    first_use: bool


class ShareToPublish(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    public_id: UUID
    person_id: int
    person_language: Literal["fr", "en"]
    network: str
    mode: str
    status: str
    language: Literal["fr", "en"]
    caption: str
    images: list[UUID]
    external_post_id: str | None
    created_at: datetime
    link_code: str | None


class PublicationRow(msgspec.Struct, frozen=True, kw_only=True):
    share_id: int
    account_id: int | None
    state: Literal["pending", "sending", "published", "failed"]
    attempts: int
    outcome_unknown: bool


class PublicationRead(msgspec.Struct, frozen=True, kw_only=True):
    """How direct publishing of one of my shares went; `reason` is in my language, both are given."""

    share_id: UUID
    network: str
    state: Literal["pending", "sending", "published", "failed"]
    attempts: int
    external_post_url: str | None
    reason: str | None
    reason_fr: str | None
    reason_en: str | None
    updated_at: datetime


class ImageSource(msgspec.Struct, frozen=True, kw_only=True):
    asset_public_id: UUID
    storage_key: str
    content_type: str
    size_bytes: int
    alt_text: dict[str, str]
