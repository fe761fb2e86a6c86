"""Checks of the JWTs an OpenID provider sends (no I/O): the ID token (OIDC Core 3.1.3.7: signature by a key
of the provider's JWKS, issuer, audience, azp, expiry, nonce) and the back-channel logout token (OIDC
Back-Channel Logout 2.6)."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

# Asymmetric algorithms only: 'none' and HMAC (keyed with the client secret) are never accepted.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 60
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class TokenRejected(Exception):
    """A token that does not prove what it claims; `reason` names the check that failed (for the logs and
    the refusal's `extra`), never the token itself."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownKey(TokenRejected):
    """Signed with a key id the cached JWKS does not hold: the provider may have rotated its keys."""


def _decode(token: str, keys: KeySet) -> dict[str, Any]:
    try:
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
    except InvalidKeyIdError as exc:
        raise UnknownKey("unknown_key") from exc
    except JoseError as exc:
        raise TokenRejected(exc.error or "malformed") from exc
    except ValueError as exc:  # not a JWT at all
        raise TokenRejected("malformed") from exc
    claims: dict[str, Any] = dict(decoded.claims)
    return claims


def _validate(claims: dict[str, Any], now: float | None, **options: Any) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=int(now if now is not None else time.time()), leeway=LEEWAY_SECONDS, **options
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        # 'invalid_claim:iss' (aud, nonce...), 'expired_token:exp', 'missing_claim:sub'
        name = getattr(exc, "claim", None)
        raise TokenRejected(f"{exc.error}:{name}" if name else exc.error) from exc


def check_id_token(
    token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: float | None = None
) -> dict[str, Any]:
    """The ID token's claims once every check passed; raises TokenRejected (UnknownKey for a kid the keys lack)."""
    claims = _decode(token, keys)
    _validate(
        claims,
        now,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise TokenRejected("invalid_claim:azp")
    if "azp" in claims and claims["azp"] != client_id:
        raise TokenRejected("invalid_claim:azp")
    return claims


def check_logout_token(
    token: str, keys: KeySet, *, issuer: str, client_id: str, now: float | None = None
) -> dict[str, Any]:
    """The logout token's claims (it names `sub`, `sid` or both); raises TokenRejected."""
    claims = _decode(token, keys)
    _validate(
        claims,
        now,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        iat={"essential": True},
        jti={"essential": True},
    )
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(LOGOUT_EVENT), dict):
        raise TokenRejected("invalid_claim:events")
    if "nonce" in claims:  # OIDC Back-Channel Logout 2.4: a logout token never carries a nonce
        raise TokenRejected("invalid_claim:nonce")
    if not isinstance(claims.get("sub"), str) and not isinstance(claims.get("sid"), str):
        raise TokenRejected("missing_claim:sub")
    return claims
