"""A fake Bluesky PDS (XRPC): createSession / refreshSession / deleteSession with JWTs carrying `exp`,
getProfile, uploadBlob, createRecord (caller-chosen rkey, refused when taken), getRecord, getPosts.

Errors are {"error", "message"}; an expired access token is 400 ExpiredToken as the PDS answers it;
rate limits use ratelimit-limit/remaining/reset (epoch seconds)/policy headers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any

from litestar import Litestar, Response

from tests.fakes.base import FakeNetwork
from tests.fakes.routing import Call, build_app, json_response

DID, HANDLE, APP_PASSWORD = "did:plc:alice123", "alice.test", "abcd-efgh-ijkl-mnop"


def jwt(sub: str, ttl: int, scope: str) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': sub, 'exp': int(time.time()) + ttl, 'scope': scope, 'jti': secrets.token_hex(4)})}.sig"


def xrpc_error(status: int, error: str, message: str) -> Response[Any]:
    return json_response({"error": error, "message": message}, status)


class FakeBluesky(FakeNetwork):
    def __init__(self) -> None:
        super().__init__()
        self.access_ttl = 7200
        self.records: dict[str, dict[str, Any]] = {}
        self.sessions_deleted: list[str] = []
        self.followers = 42

    def app(self) -> Litestar:
        x = "xrpc/"
        return build_app(
            self,
            [
                ("POST", x + r"com\.atproto\.server\.createSession", "createSession", self.create_session),
                ("POST", x + r"com\.atproto\.server\.refreshSession", "refreshSession", self.refresh_session),
                ("POST", x + r"com\.atproto\.server\.deleteSession", "deleteSession", self.delete_session),
                ("GET", x + r"app\.bsky\.actor\.getProfile", "getProfile", self.get_profile),
                ("POST", x + r"com\.atproto\.repo\.uploadBlob", "uploadBlob", self.upload_blob),
                ("POST", x + r"com\.atproto\.repo\.createRecord", "createRecord", self.create_record),
                ("GET", x + r"com\.atproto\.repo\.getRecord", "getRecord", self.get_record),
                ("GET", x + r"app\.bsky\.feed\.getPosts", "getPosts", self.get_posts),
            ],
        )

    def _tokens(self) -> dict[str, str]:
        access, refresh = (
            jwt(DID, self.access_ttl, "com.atproto.appPass"),
            jwt(DID, 90 * 86400, "com.atproto.refresh"),
        )
        self.access_tokens[access] = {"account": DID, "expires": time.time() + self.access_ttl}
        self.refresh_tokens[refresh] = {"account": DID}
        return {"accessJwt": access, "refreshJwt": refresh, "did": DID, "handle": HANDLE}

    async def create_session(self, call: Call) -> Response[Any]:
        body = call.json() or {}
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != APP_PASSWORD:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return json_response({**self._tokens(), "active": True})

    def _bearer(self, call: Call) -> str:
        return call.headers.get("authorization", "")[7:]

    async def refresh_session(self, call: Call) -> Response[Any]:
        if self.refresh_tokens.pop(self._bearer(call), None) is None:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        return json_response(self._tokens())

    async def delete_session(self, call: Call) -> Response[Any]:
        token = self._bearer(call)
        self.refresh_tokens.pop(token, None)
        self.sessions_deleted.append(token)
        return Response(content=b"", status_code=200)

    def _check(self, call: Call) -> Response[Any] | None:
        token = self._bearer(call)
        info = self.access_tokens.get(token)
        if info is None:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if info["expires"] < time.time():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    async def get_profile(self, call: Call) -> Response[Any]:
        if (refused := self._check(call)) is not None:
            return refused
        return json_response(
            {
                "did": DID,
                "handle": HANDLE,
                "displayName": "Alice",
                "followersCount": self.followers,
                "followsCount": 3,
                "postsCount": len(self.records),
            }
        )

    async def upload_blob(self, call: Call) -> Response[Any]:
        if (refused := self._check(call)) is not None:
            return refused
        cid = "bafkrei" + hashlib.sha256(call.body).hexdigest()[:40]
        self.media[cid] = {"size": len(call.body)}
        return json_response(
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": cid},
                    "mimeType": call.headers.get("content-type"),
                    "size": len(call.body),
                }
            }
        )

    async def create_record(self, call: Call) -> Response[Any]:
        if (refused := self._check(call)) is not None:
            return refused
        body = call.json() or {}
        record = body.get("record") or {}
        if (
            body.get("repo") != DID
            or body.get("collection") != "app.bsky.feed.post"
            or record.get("$type") != "app.bsky.feed.post"
        ):
            return xrpc_error(400, "InvalidRequest", "Input/record must be an app.bsky.feed.post")
        rkey = str(body.get("rkey") or secrets.token_hex(6))
        if rkey in self.records:
            return xrpc_error(400, "InvalidRequest", "Record already exists")
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        self.records[rkey] = {"uri": uri, "value": record}
        self.posts.append({"uri": uri, "rkey": rkey, **record})
        return json_response({"uri": uri, "cid": "bafyrei" + rkey, "validationStatus": "valid"})

    async def get_record(self, call: Call) -> Response[Any]:
        found = self.records.get(call.query.get("rkey", ""))
        if found is None:
            return xrpc_error(
                400,
                "RecordNotFound",
                f"Could not locate record: at://{DID}/app.bsky.feed.post/{call.query.get('rkey')}",
            )
        return json_response({"uri": found["uri"], "cid": "bafyrei", "value": found["value"]})

    async def get_posts(self, call: Call) -> Response[Any]:
        if (refused := self._check(call)) is not None:
            return refused
        uri = call.query.get("uris", "")
        m = self.metrics.get(uri, {})
        if not any(r["uri"] == uri for r in self.records.values()):
            return json_response({"posts": []})
        return json_response(
            {
                "posts": [
                    {
                        "uri": uri,
                        "likeCount": m.get("likes", 0),
                        "repostCount": m.get("reposts", 0),
                        "replyCount": m.get("comments", 0),
                        "quoteCount": 0,
                    }
                ]
            }
        )
