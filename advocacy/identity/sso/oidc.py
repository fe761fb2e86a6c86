"""OpenID Connect relying party: discovery from the issuer URL and the provider's JWKS (both cached),
authorization code + PKCE through authlib, state / nonce / verifier kept in Redis (single use, short TTL),
the callback's checks, back-channel logout and the RP-initiated logout URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc.jwk import KeySet
from redis.asyncio import Redis

from advocacy.core.errors import DomainError
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.identity.sso.errors import SsoRefused
from advocacy.identity.sso.oidc_tokens import (
    TokenRejected,
    UnknownKey,
    check_id_token,
    check_logout_token,
)
from advocacy.identity.sso.schemas import IdpIdentity, SsoSignIn
from advocacy.identity.sso.signin import end_provider_sessions, sign_in_from_idp
from advocacy.settings import Settings

STATE_TTL_SECONDS = 600  # from the sign-in button to the provider's answer
METADATA_TTL_SECONDS = 3600.0
KEYS_REFRESH_FLOOR_SECONDS = 60.0  # an unknown kid refetches the JWKS at most this often
CALLBACK_PATH = "/sso/oidc/callback"
LOGOUT_PATH = "/login"
HTTP_TIMEOUT_SECONDS = 10.0


class ProviderUnavailable(DomainError):
    status = 503
    kind = "sso-provider-unavailable"
    title = lazy_gettext("The sign-in provider cannot be reached")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _refused(reason: str) -> SsoRefused:
    return SsoRefused(
        lazy_gettext("Signing in with your company's account did not work: please start again"),
        extra={"reason": reason},
    )


class OidcClient:
    """One per app process: the provider's metadata and keys, cached, and the protocol steps."""

    def __init__(self, settings: Settings, redis: Redis) -> None:
        self.settings = settings
        self.redis = redis
        self.prefix = f"{settings.redis_namespace}:oidc"
        self.redirect_uri = settings.base_url + CALLBACK_PATH
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
                response = await http.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(
                lazy_gettext("The sign-in provider cannot be reached: try again in a moment")
            ) from exc
        if not isinstance(body, dict):
            raise ProviderUnavailable(lazy_gettext("The sign-in provider answered something unexpected"))
        return body

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (OIDC Discovery 4), its issuer checked against ours."""
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_SECONDS:
            issuer = self.settings.oidc_issuer.rstrip("/")
            document = await self._get_json(issuer + "/.well-known/openid-configuration")
            if document.get("issuer") != self.settings.oidc_issuer:
                raise ProviderUnavailable(
                    lazy_gettext("The sign-in provider's discovery document names another issuer")
                )
            self._metadata, self._metadata_at = document, time.monotonic()
        return self._metadata

    async def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys; `refresh` refetches them (not more than once a minute)."""
        stale = time.monotonic() - self._keys_at > METADATA_TTL_SECONDS
        may_refresh = time.monotonic() - self._keys_at > KEYS_REFRESH_FLOOR_SECONDS
        if self._keys is None or stale or (refresh and may_refresh):
            document = await self._get_json((await self.metadata())["jwks_uri"])
            self._keys, self._keys_at = KeySet.import_key_set(document), time.monotonic()  # type: ignore[arg-type]
        return self._keys

    def _oauth(self) -> Any:
        # imported when first used: only a deployment with OIDC on loads authlib's client
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        return AsyncOAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=self.settings.oidc_client_secret or None,
            scope=self.settings.oidc_scopes,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT_SECONDS,
        )

    async def begin(self, *, next_url: str, browser_key: str) -> str:
        """The provider's authorization URL; the state, nonce and PKCE verifier wait in Redis for the callback,
        bound to the browser that asked (`browser_key`, kept in a cookie) so a callback URL sent to someone
        else signs nobody in."""
        metadata = await self.metadata()
        state, nonce, verifier = (
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(48),
        )
        record = {"nonce": nonce, "verifier": verifier, "next": next_url, "browser": _digest(browser_key)}
        await self.redis.set(
            f"{self.prefix}:state:{_digest(state)}", json.dumps(record), ex=STATE_TTL_SECONDS
        )
        async with self._oauth() as oauth:
            url, _ = oauth.create_authorization_url(
                metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
            )
        return str(url)

    async def forget_state(self, state: str) -> None:
        """The provider answered with an error: that sign-in's state will never be used."""
        await self.redis.delete(f"{self.prefix}:state:{_digest(state)}")

    async def _take_state(self, state: str, browser_key: str) -> dict[str, Any]:
        raw = await self.redis.getdel(f"{self.prefix}:state:{_digest(state)}")
        if raw is None:
            raise _refused("state")  # unknown, expired, or already used
        record: dict[str, Any] = json.loads(raw)
        if not hmac.compare_digest(record["browser"], _digest(browser_key)):
            raise _refused("browser")
        return record

    async def _exchange(self, code: str, verifier: str) -> dict[str, Any]:
        metadata = await self.metadata()
        try:
            async with self._oauth() as oauth:
                token: dict[str, Any] = await oauth.fetch_token(
                    metadata["token_endpoint"], code=code, code_verifier=verifier
                )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(lazy_gettext("The sign-in provider cannot be reached")) from exc
        except (
            Exception
        ) as exc:  # authlib's OAuthError for an error answer (invalid_grant: a code used twice)
            raise _refused("token-exchange") from exc
        if not isinstance(token.get("id_token"), str):
            raise _refused("no-id-token")
        return token

    async def id_token_claims(self, id_token: str, *, nonce: str, now: float | None = None) -> dict[str, Any]:
        """The ID token checked against the provider's keys (refetched once for a rotated key) and ours."""
        options = {"issuer": self.settings.oidc_issuer, "client_id": self.settings.oidc_client_id}
        try:
            try:
                return check_id_token(id_token, await self.keys(), nonce=nonce, now=now, **options)
            except UnknownKey:
                return check_id_token(
                    id_token, await self.keys(refresh=True), nonce=nonce, now=now, **options
                )
        except TokenRejected as exc:
            raise _refused(f"id-token:{exc.reason}") from exc

    async def _first_use_of_nonce(self, nonce: str, expires: Any) -> bool:
        ttl = max(60, int(expires) - int(time.time()) + 120) if isinstance(expires, int) else 3600
        return bool(await self.redis.set(f"{self.prefix}:nonce:{_digest(nonce)}", "1", nx=True, ex=ttl))

    async def _userinfo(self, access_token: str | None, subject: str) -> dict[str, Any]:
        """Claims the provider serves at its userinfo endpoint (providers put profile and groups there
        rather than in the ID token); ignored unless they are about the same subject."""
        endpoint = (await self.metadata()).get("userinfo_endpoint")
        if not access_token or not isinstance(endpoint, str):
            return {}
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
                response = await http.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
                body = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            return {}
        return body if isinstance(body, dict) and body.get("sub") == subject else {}

    async def complete(
        self, db: Database, *, code: str, state: str, browser_key: str, session_hours: int
    ) -> tuple[SsoSignIn, str]:
        """The callback: the state taken (once), the code exchanged with the verifier, the ID token checked,
        its nonce used once, then the person signed in. Returns the sign-in and where to go next."""
        record = await self._take_state(state, browser_key)
        token = await self._exchange(code, record["verifier"])
        claims = await self.id_token_claims(token["id_token"], nonce=record["nonce"])
        if not await self._first_use_of_nonce(record["nonce"], claims.get("exp")):
            raise _refused("id-token:replayed_nonce")
        attributes = {**await self._userinfo(token.get("access_token"), claims["sub"]), **claims}
        identity = IdpIdentity(
            protocol="oidc",
            issuer=self.settings.oidc_issuer,
            subject=claims["sub"],
            attributes=attributes,
            provider_session=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
        )
        signed_in = await sign_in_from_idp(db, identity, session_hours=session_hours)
        return signed_in, str(record["next"])

    async def back_channel_logout(self, db: Database, logout_token: str) -> int:
        """OIDC Back-Channel Logout: the provider's signed logout token ends the sessions it names (a token
        is accepted once, by its jti)."""
        issuer, client_id = self.settings.oidc_issuer, self.settings.oidc_client_id
        try:
            try:
                claims = check_logout_token(
                    logout_token, await self.keys(), issuer=issuer, client_id=client_id
                )
            except UnknownKey:
                keys = await self.keys(refresh=True)
                claims = check_logout_token(logout_token, keys, issuer=issuer, client_id=client_id)
        except TokenRejected as exc:
            raise _refused(f"logout-token:{exc.reason}") from exc
        fresh = await self.redis.set(
            f"{self.prefix}:jti:{_digest(str(claims['jti']))}", "1", nx=True, ex=3600
        )
        if not fresh:
            raise _refused("logout-token:replayed")
        return await end_provider_sessions(
            db, self.settings.oidc_issuer, subject=claims.get("sub"), provider_session=claims.get("sid")
        )

    async def end_session_url(self) -> str | None:
        """Where to send the browser after our own logout so the provider ends its session too (OIDC
        RP-Initiated Logout), or None when it offers no end_session_endpoint."""
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except ProviderUnavailable:
            return None
        if not isinstance(endpoint, str):
            return None
        query = urlencode(
            {
                "client_id": self.settings.oidc_client_id,
                "post_logout_redirect_uri": self.settings.base_url + LOGOUT_PATH,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
