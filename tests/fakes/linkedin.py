"""A fake LinkedIn: OAuth 2 (authorization, accessToken, revoke), userinfo, Images and Posts API, socialActions.

Errors follow LinkedIn's documented shape {"message", "status", "serviceErrorCode"}; Posts answer 201 with
the post URN in `x-restli-id`; a missing LinkedIn-Version header is refused as the API does.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Response

from tests.fakes.base import FakeNetwork, s256
from tests.fakes.routing import Call, build_app, json_response

CLIENT_ID, CLIENT_SECRET = "li-client", "li-secret"
MEMBER = "abc123"


def error(status: int, message: str, code: int = 0) -> Response[Any]:
    return json_response({"message": message, "status": status, "serviceErrorCode": code}, status)


class FakeLinkedIn(FakeNetwork):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(7000)

    def app(self) -> Litestar:
        return build_app(
            self,
            [
                ("GET", r"oauth/v2/authorization", "authorize", self.authorize),
                ("POST", r"oauth/v2/accessToken", "token", self.token),
                ("POST", r"oauth/v2/revoke", "revoke", self.revoke),
                ("GET", r"v2/userinfo", "userinfo", self.userinfo),
                ("POST", r"rest/images", "images", self.init_upload),
                ("PUT", r"upload/(?P<n>\d+)", "upload", self.upload),
                ("POST", r"rest/posts", "posts", self.create_post),
                ("GET", r"rest/posts", "list_posts", self.list_posts),
                ("GET", r"rest/socialActions/(?P<urn>.+)", "social", self.social),
            ],
        )

    async def authorize(self, call: Call) -> Response[Any]:
        q = call.query
        if (
            q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
            or q.get("client_id") != CLIENT_ID
        ):
            return error(400, "invalid authorization request")
        code = self.issue_code(challenge=q["code_challenge"], redirect_uri=q["redirect_uri"])
        target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
        return Response(content=b"", status_code=302, headers={"Location": target})

    async def token(self, call: Call) -> Response[Any]:
        f = call.form
        if f.get("client_id") != CLIENT_ID or f.get("client_secret") != CLIENT_SECRET:
            return json_response(
                {"error": "invalid_client", "error_description": "Client authentication failed"}, 401
            )
        if f.get("grant_type") == "authorization_code":
            info = self.codes.pop(str(f.get("code")), None)
            if info is None or info["redirect_uri"] != f.get("redirect_uri"):
                return json_response(
                    {
                        "error": "invalid_request",
                        "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired.",
                    },
                    400,
                )
            if s256(str(f.get("code_verifier"))) != info["challenge"]:
                return json_response(
                    {"error": "invalid_grant", "error_description": "code verifier does not match"}, 400
                )
            tokens = self.issue_tokens(MEMBER, expires_in=5184000, scope="openid,profile,w_member_social")
            return json_response({**tokens, "refresh_token_expires_in": 31536000})
        if f.get("grant_type") == "refresh_token":
            if str(f.get("refresh_token")) not in self.refresh_tokens:
                return json_response(
                    {
                        "error": "invalid_request",
                        "error_description": "The provided authorization grant or refresh token is invalid, expired or revoked.",
                    },
                    400,
                )
            tokens = self.issue_tokens(MEMBER, expires_in=5184000, scope="openid,profile,w_member_social")
            tokens["refresh_token"] = str(f.get("refresh_token"))
            return json_response(tokens)
        return json_response({"error": "unsupported_grant_type"}, 400)

    async def revoke(self, call: Call) -> Response[Any]:
        self.revoked.append(str(call.form.get("token")))
        return json_response({})

    def _auth(self, call: Call) -> str | None:
        return self.bearer_account(call.headers.get("authorization"))

    async def userinfo(self, call: Call) -> Response[Any]:
        if self._auth(call) is None:
            return error(401, "Invalid access token", 65600)
        return json_response(
            {"sub": MEMBER, "name": "Alice Martin", "given_name": "Alice", "locale": "fr_FR"}
        )

    async def init_upload(self, call: Call) -> Response[Any]:
        if self._auth(call) is None:
            return error(401, "Invalid access token", 65600)
        n = next(self.ids)
        return json_response(
            {
                "value": {
                    "uploadUrlExpiresAt": 0,
                    "uploadUrl": f"{self.base_url}/upload/{n}",
                    "image": f"urn:li:image:{n}",
                }
            }
        )

    async def upload(self, call: Call) -> Response[Any]:
        self.media[call.params["n"]] = {"size": len(call.body)}
        return Response(content=b"", status_code=201)

    async def create_post(self, call: Call) -> Response[Any]:
        if self._auth(call) is None:
            return error(401, "Invalid access token", 65600)
        if not call.headers.get("linkedin-version"):
            return error(
                426,
                "A version must be present. Please specify a version by adding the LinkedIn-Version header",
            )
        body = call.json()
        if body.get("author") != f"urn:li:person:{MEMBER}" or body.get("lifecycleState") != "PUBLISHED":
            return error(422, "ERROR :: /author :: is not a member the token acts for", 100)
        urn = f"urn:li:share:{next(self.ids)}"
        self.posts.append({"id": urn, **body})
        return Response(content=b"", status_code=201, headers={"x-restli-id": urn})

    async def list_posts(self, call: Call) -> Response[Any]:
        if self._auth(call) is None:
            return error(401, "Invalid access token", 65600)
        return json_response({"elements": list(reversed(self.posts)), "paging": {"start": 0, "count": 20}})

    async def social(self, call: Call) -> Response[Any]:
        if self._auth(call) is None:
            return error(401, "Invalid access token", 65600)
        m = self.metrics.get(call.params["urn"], {})
        return json_response(
            {
                "likesSummary": {"totalLikes": m.get("likes", 0), "likedByCurrentUser": False},
                "commentsSummary": {
                    "aggregatedTotalComments": m.get("comments", 0),
                    "totalFirstLevelComments": 0,
                },
            }
        )
