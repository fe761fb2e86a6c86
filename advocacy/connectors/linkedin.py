"""LinkedIn: OAuth 2 (w_member_social) with PKCE, images then a post through the Posts API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

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

SCOPES = ("openid", "profile", "w_member_social")
API_VERSION = "202505"
# Characters the Posts API "little text" format reserves in commentary: they are backslash-escaped.
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")


def little_text(text: str) -> str:
    return _RESERVED.sub(r"\\\1", text)


class LinkedInConnector:
    network: ConnectedNetwork = "linkedin"
    oauth = True

    def __init__(self, client: httpx.AsyncClient, *, auth_url: str, api_url: str) -> None:
        self.client = client
        self.auth_url = auth_url.rstrip("/")
        self.api_url = api_url.rstrip("/")

    def _headers(self, auth: AccountAuth) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {auth.access_token}",
            "LinkedIn-Version": API_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def authorize_url(
        self, *, base_url: str, app: ClientApp, state: str, challenge: str, redirect_uri: str
    ) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": " ".join(SCOPES),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.auth_url}/oauth/v2/authorization?{query}"

    async def _token(self, form: dict[str, str]) -> TokenSet:
        response = await send(self.client, "POST", f"{self.auth_url}/oauth/v2/accessToken", data=form)
        return _token_set(json_object(response))

    async def exchange_code(
        self, *, base_url: str, app: ClientApp, code: str, verifier: str, redirect_uri: str
    ) -> TokenSet:
        return await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": app.client_id,
                "client_secret": app.client_secret or "",
                "code_verifier": verifier,
            }
        )

    async def refresh(self, *, app: ClientApp, auth: AccountAuth) -> TokenSet:
        if not auth.refresh_token:
            raise Unsupported("LinkedIn gave no refresh token: the person must reconnect")
        return await self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": auth.refresh_token,
                "client_id": app.client_id,
                "client_secret": app.client_secret or "",
            }
        )

    async def revoke(self, *, app: ClientApp, auth: AccountAuth) -> None:
        await send(
            self.client,
            "POST",
            f"{self.auth_url}/oauth/v2/revoke",
            data={
                "client_id": app.client_id,
                "client_secret": app.client_secret or "",
                "token": auth.access_token,
            },
        )

    async def profile(self, auth: AccountAuth) -> AccountProfile:
        response = await send(self.client, "GET", f"{self.api_url}/v2/userinfo", headers=self._headers(auth))
        body = json_object(response)
        # Follower counts of members need a permission LinkedIn grants to few apps: left to self-declaration.
        return AccountProfile(
            external_id=str(body["sub"]),
            handle=str(body.get("name") or body["sub"]),
            display_name=body.get("name"),
        )

    def _author(self, auth: AccountAuth) -> str:
        return f"urn:li:person:{auth.external_id}"

    async def upload_image(self, auth: AccountAuth, image: Image) -> UploadedImage:
        response = await send(
            self.client,
            "POST",
            f"{self.api_url}/rest/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self._author(auth)}},
            headers=self._headers(auth),
        )
        value = json_object(response).get("value") or {}
        upload_url, urn = value.get("uploadUrl"), value.get("image")
        if not upload_url or not urn:
            raise Rejected("LinkedIn did not give an image upload address")
        await send(
            self.client,
            "PUT",
            str(upload_url),
            content=image.data,
            headers={"Authorization": f"Bearer {auth.access_token}", "Content-Type": image.content_type},
        )
        return UploadedImage(id=str(urn), alt_text=image.alt_text)

    async def create_post(
        self, auth: AccountAuth, post: PostDraft, images: list[UploadedImage]
    ) -> PublishedPost:
        body: dict[str, Any] = {
            "author": self._author(auth),
            "commentary": little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0].id, "altText": images[0].alt_text}}
        elif images:
            body["content"] = {
                "multiImage": {"images": [{"id": i.id, "altText": i.alt_text} for i in images]}
            }
        response = await send(
            self.client,
            "POST",
            f"{self.api_url}/rest/posts",
            json=body,
            headers=self._headers(auth),
            expect=(201,),
        )
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise Rejected("LinkedIn accepted the post but did not say its id")
        return PublishedPost(external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/")

    async def find_post(self, auth: AccountAuth, post: PostDraft) -> PublishedPost | None:
        response = await send(
            self.client,
            "GET",
            f"{self.api_url}/rest/posts",
            params={"author": self._author(auth), "q": "author", "count": "20", "sortBy": "LAST_MODIFIED"},
            headers=self._headers(auth),
        )
        for element in json_object(response).get("elements") or []:
            commentary = str(element.get("commentary") or "").replace("\\", "")
            if post.link in commentary:
                urn = str(element["id"])
                return PublishedPost(external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/")
        return None

    async def metrics(self, auth: AccountAuth, external_id: str) -> PostMetrics:
        response = await send(
            self.client,
            "GET",
            f"{self.api_url}/rest/socialActions/{quote(external_id, safe='')}",
            headers=self._headers(auth),
        )
        body = json_object(response)
        likes = (body.get("likesSummary") or {}).get("totalLikes", 0)
        comments = (body.get("commentsSummary") or {}).get("aggregatedTotalComments", 0)
        return PostMetrics(likes=int(likes), comments=int(comments), reposts=0, impressions=None)


def _token_set(body: dict[str, Any]) -> TokenSet:
    expires_in = body.get("expires_in")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=body.get("refresh_token"),
        expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
        scopes=str(body.get("scope") or "").replace(",", " ").split(),
    )
