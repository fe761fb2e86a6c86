"""A fake X API v2: OAuth 2 with PKCE (authorize, token with Basic client auth, revoke, refresh-token
rotation), users/me, media upload, POST /2/tweets, a user's tweets and public metrics.

Errors are RFC 7807-style {"title", "detail", "type", "status"}; every answer carries x-rate-limit-*
headers and a 429 says when the window resets in x-rate-limit-reset (epoch seconds).
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Response

from tests.fakes.base import FakeNetwork, s256
from tests.fakes.routing import Call, build_app, json_response

CLIENT_ID, CLIENT_SECRET = "x-client", "x-secret"
USER_ID, USERNAME = "1500", "alice_m"


def problem(status: int, title: str, detail: str) -> Response[Any]:
    return json_response({"title": title, "detail": detail, "type": "about:blank", "status": status}, status)


def rate_headers(remaining: int = 99) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(time.time()) + 900),
    }


def too_many(reset_in: int) -> tuple[int, dict[str, Any], dict[str, str]]:
    return (
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(time.time()) + reset_in),
        },
    )


class FakeX(FakeNetwork):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1_800_000_000_000_000_000)
        self.followers = 321

    def app(self) -> Litestar:
        return build_app(
            self,
            [
                ("GET", r"i/oauth2/authorize", "authorize", self.authorize),
                ("POST", r"2/oauth2/token", "token", self.token),
                ("POST", r"2/oauth2/revoke", "revoke", self.revoke),
                ("GET", r"2/users/me", "me", self.me),
                ("POST", r"2/media/upload", "media", self.media_upload),
                ("POST", r"2/media/metadata", "metadata", self.metadata),
                ("POST", r"2/tweets", "tweets", self.tweet),
                ("GET", r"2/users/(?P<id>\d+)/tweets", "timeline", self.timeline),
                ("GET", r"2/tweets/(?P<id>\d+)", "tweet", self.get_tweet),
            ],
        )

    async def authorize(self, call: Call) -> Response[Any]:
        q = call.query
        if (
            q.get("code_challenge_method") != "S256"
            or q.get("client_id") != CLIENT_ID
            or "offline.access" not in q.get("scope", "")
        ):
            return problem(400, "Invalid Request", "invalid authorize request")
        code = self.issue_code(challenge=q["code_challenge"], redirect_uri=q["redirect_uri"])
        return Response(
            content=b"",
            status_code=302,
            headers={"Location": f"{q['redirect_uri']}?{urlencode({'state': q['state'], 'code': code})}"},
        )

    def _client_ok(self, call: Call) -> bool:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        return call.headers.get("authorization") == expected

    async def token(self, call: Call) -> Response[Any]:
        if not self._client_ok(call):
            return json_response(
                {"error": "unauthorized_client", "error_description": "Missing valid authorization header"},
                401,
            )
        f = call.form
        if f.get("grant_type") == "authorization_code":
            info = self.codes.pop(str(f.get("code")), None)
            if (
                info is None
                or s256(str(f.get("code_verifier"))) != info["challenge"]
                or info["redirect_uri"] != f.get("redirect_uri")
            ):
                return json_response(
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the authorization code was invalid.",
                    },
                    400,
                )
        elif f.get("grant_type") == "refresh_token":
            # X rotates refresh tokens: the one used is spent.
            if self.refresh_tokens.pop(str(f.get("refresh_token")), None) is None:
                return json_response(
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the token was invalid.",
                    },
                    400,
                )
        else:
            return json_response({"error": "unsupported_grant_type"}, 400)
        tokens = self.issue_tokens(
            USER_ID, expires_in=7200, scope="tweet.read tweet.write users.read media.write offline.access"
        )
        return json_response({"token_type": "bearer", **tokens})

    async def revoke(self, call: Call) -> Response[Any]:
        if not self._client_ok(call):
            return json_response({"error": "unauthorized_client"}, 401)
        self.revoked.append(str(call.form.get("token")))
        return json_response({"revoked": True})

    def _user(self, call: Call) -> str | None:
        return self.bearer_account(call.headers.get("authorization"))

    async def me(self, call: Call) -> Response[Any]:
        if self._user(call) is None:
            return problem(401, "Unauthorized", "Unauthorized")
        return json_response(
            {
                "data": {
                    "id": USER_ID,
                    "name": "Alice M",
                    "username": USERNAME,
                    "public_metrics": {
                        "followers_count": self.followers,
                        "following_count": 10,
                        "tweet_count": 5,
                    },
                }
            },
            headers=rate_headers(),
        )

    async def media_upload(self, call: Call) -> Response[Any]:
        if self._user(call) is None:
            return problem(401, "Unauthorized", "Unauthorized")
        if call.form.get("media") is None or call.form.get("media_category") != "tweet_image":
            return problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        media_id = str(next(self.ids))
        self.media[media_id] = {"category": call.form.get("media_category")}
        return json_response(
            {"data": {"id": media_id, "media_key": f"3_{media_id}", "expires_after_secs": 86400}},
            headers=rate_headers(),
        )

    async def metadata(self, call: Call) -> Response[Any]:
        return json_response({"data": {"associated_metadata": True, "id": call.json()["id"]}})

    async def tweet(self, call: Call) -> Response[Any]:
        if self._user(call) is None:
            return problem(401, "Unauthorized", "Unauthorized")
        body = call.json() or {}
        text = str(body.get("text") or "")
        if any(p["text"] == text for p in self.posts):
            return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        for media_id in (body.get("media") or {}).get("media_ids", []):
            if media_id not in self.media:
                return problem(400, "Invalid Request", f"Your media IDs are invalid: {media_id}")
        tweet_id = str(next(self.ids))
        urls = [{"url": "https://t.co/x", "expanded_url": w} for w in text.split() if w.startswith("http")]
        self.posts.append(
            {"id": tweet_id, "text": text, "entities": {"urls": urls}, "media": body.get("media")}
        )
        return json_response(
            {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}},
            201,
            rate_headers(),
        )

    async def timeline(self, call: Call) -> Response[Any]:
        if self._user(call) is None:
            return problem(401, "Unauthorized", "Unauthorized")
        tweets = [{"id": p["id"], "text": p["text"], "entities": p["entities"]} for p in reversed(self.posts)]
        return json_response({"data": tweets, "meta": {"result_count": len(tweets)}}, headers=rate_headers())

    async def get_tweet(self, call: Call) -> Response[Any]:
        if self._user(call) is None:
            return problem(401, "Unauthorized", "Unauthorized")
        m = self.metrics.get(call.params["id"], {})
        metrics = {
            "retweet_count": m.get("reposts", 0),
            "reply_count": m.get("comments", 0),
            "like_count": m.get("likes", 0),
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": m.get("impressions", 0),
        }
        return json_response(
            {"data": {"id": call.params["id"], "text": "", "public_metrics": metrics}}, headers=rate_headers()
        )
