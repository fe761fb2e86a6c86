"""Tokens at rest: MultiFernet over TOKEN_ENCRYPTION_KEYS (the first encrypts, every one decrypts)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from advocacy.settings import Settings


class TokenCipher:
    """Encrypts provider tokens and secrets; `rotate` re-encrypts a value under the first key."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(keys_of(settings))

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt(self, value: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(value)).decode()
        except InvalidToken:
            raise TokenKeyMissing(
                "A stored token was encrypted with a key that is no longer in TOKEN_ENCRYPTION_KEYS"
            ) from None

    def encrypt_optional(self, value: str | None) -> bytes | None:
        return None if value is None else self.encrypt(value)

    def decrypt_optional(self, value: bytes | None) -> str | None:
        return None if value is None else self.decrypt(value)

    def rotate(self, value: bytes) -> bytes:
        try:
            return self._fernet.rotate(bytes(value))
        except InvalidToken:
            raise TokenKeyMissing(
                "A stored token was encrypted with a key that is no longer in TOKEN_ENCRYPTION_KEYS"
            ) from None


def keys_of(settings: Settings) -> list[bytes]:
    """The configured keys, first one encrypting."""
    if settings.token_encryption_keys:
        return [k.strip().encode() for k in settings.token_encryption_keys.split(",") if k.strip()]
    # Local runs: a key derived from SECRET_KEY (documented; production sets TOKEN_ENCRYPTION_KEYS).
    digest = hashlib.sha256(b"advocacy-token-key:" + settings.secret_key.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


class TokenKeyMissing(Exception):
    """No configured key decrypts a stored value (a key was removed before rotation finished)."""
