"""A fake Mastodon server: app registration, OAuth 2 with PKCE, verify_credentials, v2 media (202 then
processed), statuses honouring Idempotency-Key, an account's statuses, and a status's counts.

Errors are {"error": "..."}; every answer carries X-RateLimit-Limit/Remaining/Reset (ISO 8601).
"""

from __future__ import annotations

import html
import itertools
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Response

from tests.fakes.base import FakeNetwork, s256
from tests.fakes.routing import Call, build_app, json_response

ACCOUNT_ID = "109"


def rate_headers(reset_in: int = 300, remaining: int = 299) -> dict[str, str]:
    reset = (datetime.now(UTC) + timedelta(seconds=reset_in)).isoformat().replace("+00:00", "Z")
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": reset}


class FakeMastodon(FakeNetwork):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(110_000)
        self.apps: dict[str, dict[str, str]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.media_checks: dict[str, int] = {}
        self.followers = 87

    def app(self) -> Litestar:
        return build_app(
            self,
            [
                ("POST", r"api/v1/apps", "apps", self.register),
                ("GET", r"oauth/authorize", "authorize", self.authorize),
                ("POST", r"oauth/token", "token", self.token),
                ("POST", r"oauth/revoke", "revoke", self.revoke),
                ("GET", r"api/v1/accounts/verify_credentials", "verify", self.verify),
                ("POST", r"api/v2/media", "media", self.media_upload),
                ("GET", r"api/v1/media/(?P<id>\d+)", "media_check", self.media_check),
                ("POST", r"api/v1/statuses", "statuses", self.status),
                ("GET", r"api/v1/accounts/(?P<id>\d+)/statuses", "account_statuses", self.account_statuses),
                ("GET", r"api/v1/statuses/(?P<id>\d+)", "status_get", self.get_status),
            ],
        )

    async def register(self, call: Call) -> Response[Any]:
        f = call.form
        if not f.get("client_name") or not f.get("redirect_uris"):
            return json_response({"error": "Validation failed: Application name can't be blank"}, 422)
        client_id, secret = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        self.apps[client_id] = {"secret": secret, "redirect_uri": str(f["redirect_uris"])}
        return json_response(
            {
                "id": "1",
                "name": f["client_name"],
                "website": f.get("website"),
                "redirect_uri": f["redirect_uris"],
                "client_id": client_id,
                "client_secret": secret,
                "vapid_key": "x",
            }
        )

    async def authorize(self, call: Call) -> Response[Any]:
        q = call.query
        app = self.apps.get(q.get("client_id", ""))
        if (
            app is None
            or app["redirect_uri"] != q.get("redirect_uri")
            or q.get("code_challenge_method") != "S256"
        ):
            return json_response({"error": "invalid_request"}, 400)
        code = self.issue_code(
            challenge=q["code_challenge"], redirect_uri=q["redirect_uri"], client_id=q["client_id"]
        )
        return Response(
            content=b"",
            status_code=302,
            headers={"Location": f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"},
        )

    async def token(self, call: Call) -> Response[Any]:
        f = call.form
        app = self.apps.get(str(f.get("client_id")))
        if app is None or app["secret"] != f.get("client_secret"):
            return json_response(
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
                },
                401,
            )
        info = self.codes.pop(str(f.get("code")), None)
        if info is None or s256(str(f.get("code_verifier"))) != info["challenge"]:
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
                },
                400,
            )
        tokens = self.issue_tokens(ACCOUNT_ID, expires_in=10**9, scope="read write")
        return json_response(
            {
                "access_token": tokens["access_token"],
                "token_type": "Bearer",
                "scope": "read write",
                "created_at": 1700000000,
            }
        )

    async def revoke(self, call: Call) -> Response[Any]:
        self.revoked.append(str(call.form.get("token")))
        return json_response({})

    def _account(self, call: Call) -> str | None:
        return self.bearer_account(call.headers.get("authorization"))

    def _unauthorized(self) -> Response[Any]:
        return json_response({"error": "The access token is invalid"}, 401)

    async def verify(self, call: Call) -> Response[Any]:
        if self._account(call) is None:
            return self._unauthorized()
        return json_response(
            {
                "id": ACCOUNT_ID,
                "username": "alice",
                "acct": "alice",
                "display_name": "Alice",
                "followers_count": self.followers,
                "url": f"{self.base_url}/@alice",
            },
            headers=rate_headers(),
        )

    async def media_upload(self, call: Call) -> Response[Any]:
        if self._account(call) is None:
            return self._unauthorized()
        if call.form.get("file") is None:
            return json_response({"error": "Validation failed: File can't be blank"}, 422)
        media_id = str(next(self.ids))
        self.media[media_id] = {"description": call.form.get("description")}
        self.media_checks[media_id] = 0
        return json_response(
            {"id": media_id, "type": "image", "url": None, "description": call.form.get("description")},
            202,
            rate_headers(),
        )

    async def media_check(self, call: Call) -> Response[Any]:
        media_id = call.params["id"]
        self.media_checks[media_id] = self.media_checks.get(media_id, 0) + 1
        if self.media_checks[media_id] < 2:
            return json_response({"id": media_id, "type": "image", "url": None}, 206)
        return json_response(
            {"id": media_id, "type": "image", "url": f"{self.base_url}/media/{media_id}.jpg"}
        )

    async def status(self, call: Call) -> Response[Any]:
        if self._account(call) is None:
            return self._unauthorized()
        key = call.headers.get("idempotency-key")
        if key and key in self.idempotency:
            return json_response(self.idempotency[key], headers=rate_headers())
        body = call.json() or {}
        if not body.get("status") and not body.get("media_ids"):
            return json_response({"error": "Validation failed: Text can't be blank"}, 422)
        status_id = str(next(self.ids))
        content = "<p>" + html.escape(str(body["status"])) + "</p>"
        status = {
            "id": status_id,
            "url": f"{self.base_url}/@alice/{status_id}",
            "content": content,
            "favourites_count": 0,
            "reblogs_count": 0,
            "replies_count": 0,
            "media_attachments": [{"id": m} for m in body.get("media_ids", [])],
        }
        self.posts.append(status)
        if key:
            self.idempotency[key] = status
        return json_response(status, headers=rate_headers())

    async def account_statuses(self, call: Call) -> Response[Any]:
        if self._account(call) is None:
            return self._unauthorized()
        return json_response(list(reversed(self.posts)), headers=rate_headers())

    async def get_status(self, call: Call) -> Response[Any]:
        m = self.metrics.get(call.params["id"], {})
        for post in self.posts:
            if post["id"] == call.params["id"]:
                return json_response(
                    {
                        **post,
                        "favourites_count": m.get("likes", 0),
                        "replies_count": m.get("comments", 0),
                        "reblogs_count": m.get("reposts", 0),
                    },
                    headers=rate_headers(),
                )
        return json_response({"error": "Record not found"}, 404)
