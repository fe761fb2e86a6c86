"""Bluesky (AT Protocol): a session from an app password, blobs then an app.bsky.feed.post record.

Full atproto OAuth needs DPoP-bound tokens and PAR against the person's own PDS authorization server;
that is not implemented here: people connect with an app password, which is used once to create a
session and never stored (only the session's access and refresh JWTs are, encrypted).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from advocacy.connectors.base import (
    AccountAuth,
    AccountProfile,
    AuthExpired,
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
from advocacy.connectors.http import json_object, provider_message, send
from advocacy.core.networks import ConnectedNetwork

POST_COLLECTION = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_EXPIRED = {"ExpiredToken", "InvalidToken"}


def tid_for(key: str, at: datetime) -> str:
    """A record key in TID form, derived from the share: a retried post reuses the same key."""
    micros = int(at.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` claim of a JWT, read without verifying (only to know when to refresh)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def link_facets(text: str, link: str) -> list[dict[str, Any]]:
    """Rich-text facets mark links by UTF-8 byte offsets, or clients show them as plain text."""
    start = text.find(link)
    if start < 0:
        return []
    byte_start = len(text[:start].encode())
    return [
        {
            "index": {"byteStart": byte_start, "byteEnd": byte_start + len(link.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
        }
    ]


class BlueskyConnector:
    network: ConnectedNetwork = "bluesky"
    oauth = False

    def __init__(self, client: httpx.AsyncClient, *, service_url: str) -> None:
        self.client = client
        self.service_url = service_url.rstrip("/")

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # XRPC answers an expired access token with 400 {"error": "ExpiredToken"}, not 401.
        expect = kwargs.pop("expect", (200,))
        response = await send(self.client, method, url, expect=(*expect, 400), **kwargs)
        if response.status_code == 400 and 400 not in expect:
            try:
                error = str(response.json().get("error") or "")
            except ValueError:
                error = ""
            if error in _EXPIRED:
                raise AuthExpired(provider_message(response), status=400)
            raise Rejected(provider_message(response), status=400)
        return response

    async def create_session(self, identifier: str, app_password: str) -> tuple[TokenSet, AccountProfile]:
        response = await self._send(
            "POST",
            f"{self.service_url}/xrpc/com.atproto.server.createSession",
            json={"identifier": identifier, "password": app_password},
        )
        body = json_object(response)
        tokens = TokenSet(
            access_token=str(body["accessJwt"]),
            refresh_token=str(body["refreshJwt"]),
            expires_at=jwt_expiry(str(body["accessJwt"])),
            scopes=["app-password"],
        )
        return tokens, AccountProfile(external_id=str(body["did"]), handle=str(body["handle"]))

    def authorize_url(
        self, *, base_url: str, app: ClientApp, state: str, challenge: str, redirect_uri: str
    ) -> str:
        raise Unsupported(
            "Bluesky connects with an app password (atproto OAuth with DPoP is not implemented)"
        )

    async def exchange_code(
        self, *, base_url: str, app: ClientApp, code: str, verifier: str, redirect_uri: str
    ) -> TokenSet:
        raise Unsupported(
            "Bluesky connects with an app password (atproto OAuth with DPoP is not implemented)"
        )

    async def refresh(self, *, app: ClientApp, auth: AccountAuth) -> TokenSet:
        if not auth.refresh_token:
            raise Unsupported("No Bluesky refresh token: the person must reconnect")
        response = await self._send(
            "POST",
            f"{auth.base_url}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {auth.refresh_token}"},
        )
        body = json_object(response)
        return TokenSet(
            access_token=str(body["accessJwt"]),
            refresh_token=str(body["refreshJwt"]),
            expires_at=jwt_expiry(str(body["accessJwt"])),
            scopes=["app-password"],
        )

    async def revoke(self, *, app: ClientApp, auth: AccountAuth) -> None:
        if auth.refresh_token:
            await self._send(
                "POST",
                f"{auth.base_url}/xrpc/com.atproto.server.deleteSession",
                headers={"Authorization": f"Bearer {auth.refresh_token}"},
            )

    def _bearer(self, auth: AccountAuth) -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.access_token}"}

    async def profile(self, auth: AccountAuth) -> AccountProfile:
        response = await self._send(
            "GET",
            f"{auth.base_url}/xrpc/app.bsky.actor.getProfile",
            params={"actor": auth.external_id},
            headers=self._bearer(auth),
        )
        body = json_object(response)
        return AccountProfile(
            external_id=str(body["did"]),
            handle=str(body.get("handle") or body["did"]),
            display_name=body.get("displayName") or None,
            followers=body.get("followersCount"),
            profile_url=f"https://bsky.app/profile/{body.get('handle') or body['did']}",
        )

    async def upload_image(self, auth: AccountAuth, image: Image) -> UploadedImage:
        response = await self._send(
            "POST",
            f"{auth.base_url}/xrpc/com.atproto.repo.uploadBlob",
            content=image.data,
            headers={**self._bearer(auth), "Content-Type": image.content_type},
        )
        blob = json_object(response).get("blob")
        if not isinstance(blob, dict):
            raise Rejected("Bluesky did not return a blob reference")
        ref = blob.get("ref") or {}
        return UploadedImage(
            id=str(ref.get("$link") if isinstance(ref, dict) else ref), alt_text=image.alt_text, blob=blob
        )

    def _record_key(self, post: PostDraft) -> str:
        return tid_for(post.idempotency_key, post.created_at)

    def _url(self, auth: AccountAuth, rkey: str) -> str:
        return f"https://bsky.app/profile/{auth.external_id}/post/{rkey}"

    async def create_post(
        self, auth: AccountAuth, post: PostDraft, images: list[UploadedImage]
    ) -> PublishedPost:
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "langs": [],
        }
        facets = link_facets(post.text, post.link)
        if facets:
            record["facets"] = facets
        if images:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": i.alt_text, "image": i.blob} for i in images[:4]],
            }
        rkey = self._record_key(post)
        response = await self._send(
            "POST",
            f"{auth.base_url}/xrpc/com.atproto.repo.createRecord",
            json={"repo": auth.external_id, "collection": POST_COLLECTION, "rkey": rkey, "record": record},
            headers=self._bearer(auth),
        )
        body = json_object(response)
        return PublishedPost(external_id=str(body["uri"]), url=self._url(auth, rkey))

    async def find_post(self, auth: AccountAuth, post: PostDraft) -> PublishedPost | None:
        """The record key is ours (derived from the share), so the check is one getRecord."""
        rkey = self._record_key(post)
        response = await send(
            self.client,
            "GET",
            f"{auth.base_url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": auth.external_id, "collection": POST_COLLECTION, "rkey": rkey},
            headers=self._bearer(auth),
            expect=(200, 400, 404),
        )
        if response.status_code != 200:
            error = ""
            with contextlib.suppress(ValueError):
                error = str(response.json().get("error") or "")
            if error in _EXPIRED:
                raise AuthExpired(error, status=response.status_code)
            return None
        return PublishedPost(external_id=str(json_object(response)["uri"]), url=self._url(auth, rkey))

    async def metrics(self, auth: AccountAuth, external_id: str) -> PostMetrics:
        response = await self._send(
            "GET",
            f"{auth.base_url}/xrpc/app.bsky.feed.getPosts",
            params={"uris": external_id},
            headers=self._bearer(auth),
        )
        posts = json_object(response).get("posts") or []
        if not posts:
            return PostMetrics()
        post = posts[0]
        return PostMetrics(
            likes=int(post.get("likeCount", 0)),
            comments=int(post.get("replyCount", 0)),
            reposts=int(post.get("repostCount", 0)) + int(post.get("quoteCount", 0)),
            impressions=None,
        )
