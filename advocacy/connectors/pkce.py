"""OAuth 2 PKCE (RFC 7636, S256 only) and the random `state` values bound to a person."""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_verifier() -> str:
    """43 to 128 characters from the unreserved set: 64 random bytes, base64url → 86 characters."""
    return secrets.token_urlsafe(64)


def challenge_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return secrets.token_urlsafe(32)


def state_hash(state: str) -> bytes:
    """States are stored hashed: a database read does not hand out a usable one."""
    return hashlib.sha256(state.encode()).digest()
