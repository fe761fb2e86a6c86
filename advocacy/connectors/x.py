"""X: OAuth 2 with PKCE, media upload (v2) then POST /2/tweets; public metrics per post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    Unsupported,
    UploadedImage,
)
from advocacy.connectors.http import json_object, send
from advocacy.core.networks import ConnectedNetwork

SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")


class XConnector:
    network: ConnectedNetwork = "x"
    oauth = True

    def __init__(self, client: httpx.AsyncClient, *, auth_url: str, api_url: str) -> None:
        self.client = client
        self.auth_url = auth_url.rstrip("/")
        self.api_url = api_url.rstrip("/")

    def _client_auth(self, app: ClientApp) -> httpx.BasicAuth | None:
        # A confidential client authenticates with Basic; a public one only names its client_id.
        return httpx.BasicAuth(app.client_id, app.client_secret) if app.client_secret else None

    def authorize_url(
        self, *, base_url: str, app: ClientApp, state: str, challenge: str, redirect_uri: str
    ) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(SCOPES),
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.auth_url}/i/oauth2/authorize?{query}"

    async def _token(self, app: ClientApp, form: dict[str, str]) -> TokenSet:
        kwargs: dict[str, Any] = {"data": {**form, "client_id": app.client_id}}
        basic = self._client_auth(app)
        if basic is not None:
            kwargs["auth"] = basic
        response = await send(self.client, "POST", f"{self.api_url}/2/oauth2/token", **kwargs)
        body = json_object(response)
        expires_in = body.get("expires_in")
        return TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=body.get("refresh_token"),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
            scopes=str(body.get("scope") or "").split(),
        )

    async def exchange_code(
        self, *, base_url: str, app: ClientApp, code: str, verifier: str, redirect_uri: str
    ) -> TokenSet:
        return await self._token(
            app,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )

    async def refresh(self, *, app: ClientApp, auth: AccountAuth) -> TokenSet:
        if not auth.refresh_token:
            raise Unsupported("X gave no refresh token (offline.access): the person must reconnect")
        return await self._token(app, {"grant_type": "refresh_token", "refresh_token": auth.refresh_token})

    async def revoke(self, *, app: ClientApp, auth: AccountAuth) -> None:
        kwargs: dict[str, Any] = {
            "data": {
                "token": auth.access_token,
                "token_type_hint": "access_token",
                "client_id": app.client_id,
            }
        }
        basic = self._client_auth(app)
        if basic is not None:
            kwargs["auth"] = basic
        await send(self.client, "POST", f"{self.api_url}/2/oauth2/revoke", **kwargs)

    def _bearer(self, auth: AccountAuth) -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.access_token}"}

    async def profile(self, auth: AccountAuth) -> AccountProfile:
        response = await send(
            self.client,
            "GET",
            f"{self.api_url}/2/users/me",
            params={"user.fields": "public_metrics"},
            headers=self._bearer(auth),
        )
        data = json_object(response).get("data") or {}
        metrics = data.get("public_metrics") or {}
        return AccountProfile(
            external_id=str(data["id"]),
            handle=str(data.get("username") or data["id"]),
            display_name=data.get("name"),
            followers=metrics.get("followers_count"),
            profile_url=f"https://x.com/{data['username']}" if data.get("username") else None,
        )

    async def upload_image(self, auth: AccountAuth, image: Image) -> UploadedImage:
        response = await send(
            self.client,
            "POST",
            f"{self.api_url}/2/media/upload",
            files={"media": ("image", image.data, image.content_type)},
            data={"media_category": "tweet_image", "media_type": image.content_type},
            headers=self._bearer(auth),
        )
        data = json_object(response).get("data") or {}
        media_id = data.get("id") or data.get("media_id_string")
        if not media_id:
            raise Rejected("X did not give a media id")
        if image.alt_text:
            await send(
                self.client,
                "POST",
                f"{self.api_url}/2/media/metadata",
                json={"id": str(media_id), "metadata": {"alt_text": {"text": image.alt_text[:1000]}}},
                headers=self._bearer(auth),
            )
        return UploadedImage(id=str(media_id), alt_text=image.alt_text)

    async def create_post(
        self, auth: AccountAuth, post: PostDraft, images: list[UploadedImage]
    ) -> PublishedPost:
        body: dict[str, Any] = {"text": post.text}
        if images:
            body["media"] = {"media_ids": [i.id for i in images[:4]]}
        response = await send(
            self.client,
            "POST",
            f"{self.api_url}/2/tweets",
            json=body,
            headers=self._bearer(auth),
            expect=(201, 200),
        )
        data = json_object(response).get("data") or {}
        if "id" not in data:
            raise Rejected("X accepted the post but did not say its id")
        return PublishedPost(external_id=str(data["id"]), url=f"https://x.com/i/status/{data['id']}")

    async def find_post(self, auth: AccountAuth, post: PostDraft) -> PublishedPost | None:
        response = await send(
            self.client,
            "GET",
            f"{self.api_url}/2/users/{auth.external_id}/tweets",
            params={"max_results": "10", "tweet.fields": "entities,created_at"},
            headers=self._bearer(auth),
        )
        for tweet in json_object(response).get("data") or []:
            urls = ((tweet.get("entities") or {}).get("urls")) or []
            expanded = {str(u.get("expanded_url") or "") for u in urls} | {
                str(u.get("unwound_url") or "") for u in urls
            }
            if post.link in expanded or post.link in str(tweet.get("text") or ""):
                return PublishedPost(
                    external_id=str(tweet["id"]), url=f"https://x.com/i/status/{tweet['id']}"
                )
        return None

    async def metrics(self, auth: AccountAuth, external_id: str) -> PostMetrics:
        response = await send(
            self.client,
            "GET",
            f"{self.api_url}/2/tweets/{external_id}",
            params={"tweet.fields": "public_metrics"},
            headers=self._bearer(auth),
        )
        metrics = (json_object(response).get("data") or {}).get("public_metrics") or {}
        return PostMetrics(
            likes=int(metrics.get("like_count", 0)),
            comments=int(metrics.get("reply_count", 0)),
            reposts=int(metrics.get("retweet_count", 0)) + int(metrics.get("quote_count", 0)),
            impressions=metrics.get("impression_count"),
        )
