"""Mastodon: an app registered per instance, OAuth 2 with PKCE, media (v2) then a status with Idempotency-Key."""

from __future__ import annotations

import asyncio
import html
from typing import Any
from urllib.parse import urlencode

import httpx

from advocacy.connectors.base import (
    AccountAuth,
    AccountProfile,
    ClientApp,
    Image,
    PostDraft,
    PostMetrics,
    PublishedPost,
    Rejected,
    TokenSet,
    Transient,
    Unsupported,
    UploadedImage,
)
from advocacy.connectors.http import json_object, send
from advocacy.core.networks import ConnectedNetwork

SCOPES = "read write"
CLIENT_NAME = "Advocacy"
MEDIA_POLLS = 10


class MastodonConnector:
    network: ConnectedNetwork = "mastodon"
    oauth = True

    def __init__(self, client: httpx.AsyncClient, *, media_poll_delay: float = 0.5) -> None:
        self.client = client
        self.media_poll_delay = media_poll_delay

    async def register_app(self, instance: str, redirect_uri: str, website: str) -> ClientApp:
        """POST /api/v1/apps: one registration per instance, cached by the caller."""
        response = await send(
            self.client,
            "POST",
            f"{instance}/api/v1/apps",
            data={
                "client_name": CLIENT_NAME,
                "redirect_uris": redirect_uri,
                "scopes": SCOPES,
                "website": website,
            },
        )
        body = json_object(response)
        return ClientApp(client_id=str(body["client_id"]), client_secret=str(body["client_secret"]))

    def authorize_url(
        self, *, base_url: str, app: ClientApp, state: str, challenge: str, redirect_uri: str
    ) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": redirect_uri,
                "scope": SCOPES,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{base_url}/oauth/authorize?{query}"

    async def exchange_code(
        self, *, base_url: str, app: ClientApp, code: str, verifier: str, redirect_uri: str
    ) -> TokenSet:
        response = await send(
            self.client,
            "POST",
            f"{base_url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app.client_id,
                "client_secret": app.client_secret or "",
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "scope": SCOPES,
            },
        )
        body = json_object(response)
        return TokenSet(access_token=str(body["access_token"]), scopes=str(body.get("scope") or "").split())

    async def refresh(self, *, app: ClientApp, auth: AccountAuth) -> TokenSet:
        # Mastodon's tokens do not expire; a refused one means the person revoked us there.
        raise Unsupported("Mastodon tokens are not refreshed: the person must reconnect")

    async def revoke(self, *, app: ClientApp, auth: AccountAuth) -> None:
        await send(
            self.client,
            "POST",
            f"{auth.base_url}/oauth/revoke",
            data={
                "client_id": app.client_id,
                "client_secret": app.client_secret or "",
                "token": auth.access_token,
            },
        )

    def _bearer(self, auth: AccountAuth) -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.access_token}"}

    async def profile(self, auth: AccountAuth) -> AccountProfile:
        response = await send(
            self.client,
            "GET",
            f"{auth.base_url}/api/v1/accounts/verify_credentials",
            headers=self._bearer(auth),
        )
        body = json_object(response)
        return AccountProfile(
            external_id=str(body["id"]),
            handle=str(body.get("acct") or body.get("username") or body["id"]),
            display_name=body.get("display_name") or None,
            followers=body.get("followers_count"),
            profile_url=body.get("url"),
        )

    async def upload_image(self, auth: AccountAuth, image: Image) -> UploadedImage:
        response = await send(
            self.client,
            "POST",
            f"{auth.base_url}/api/v2/media",
            files={"file": ("image", image.data, image.content_type)},
            data={"description": image.alt_text[:1500]},
            headers=self._bearer(auth),
            expect=(200, 202),
        )
        body = json_object(response)
        media_id = str(body["id"])
        if response.status_code == 202:  # still processing: wait (bounded) until it has a URL
            for _ in range(MEDIA_POLLS):
                await asyncio.sleep(self.media_poll_delay)
                check = await send(
                    self.client,
                    "GET",
                    f"{auth.base_url}/api/v1/media/{media_id}",
                    headers=self._bearer(auth),
                    expect=(200, 206),
                )
                if check.status_code == 200:
                    break
            else:
                raise Transient("Mastodon is still processing the image")
        return UploadedImage(id=media_id, alt_text=image.alt_text)

    async def create_post(
        self, auth: AccountAuth, post: PostDraft, images: list[UploadedImage]
    ) -> PublishedPost:
        body: dict[str, Any] = {"status": post.text, "visibility": "public"}
        if images:
            body["media_ids"] = [i.id for i in images[:4]]
        response = await send(
            self.client,
            "POST",
            f"{auth.base_url}/api/v1/statuses",
            json=body,
            headers={**self._bearer(auth), "Idempotency-Key": post.idempotency_key},
        )
        status = json_object(response)
        if "id" not in status:
            raise Rejected("Mastodon accepted the status but did not say its id")
        return PublishedPost(external_id=str(status["id"]), url=status.get("url"))

    async def find_post(self, auth: AccountAuth, post: PostDraft) -> PublishedPost | None:
        response = await send(
            self.client,
            "GET",
            f"{auth.base_url}/api/v1/accounts/{auth.external_id}/statuses",
            params={"limit": "20", "exclude_replies": "true"},
            headers=self._bearer(auth),
        )
        statuses = response.json()
        for status in statuses if isinstance(statuses, list) else []:
            if post.link in html.unescape(str(status.get("content") or "")):
                return PublishedPost(external_id=str(status["id"]), url=status.get("url"))
        return None

    async def metrics(self, auth: AccountAuth, external_id: str) -> PostMetrics:
        response = await send(
            self.client, "GET", f"{auth.base_url}/api/v1/statuses/{external_id}", headers=self._bearer(auth)
        )
        body = json_object(response)
        return PostMetrics(
            likes=int(body.get("favourites_count", 0)),
            comments=int(body.get("replies_count", 0)),
            reposts=int(body.get("reblogs_count", 0)),
            impressions=None,
        )
