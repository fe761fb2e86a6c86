"""One rotation of TOKEN_ENCRYPTION_KEYS: re-encrypts every value stored under them, whoever owns it.

A subject that stores a ciphertext under TokenCipher adds its re-encryption here, so that removing an old
key after `advocacy rotate-token-keys` never leaves a value nobody can read."""

from __future__ import annotations

from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.service import rotate_token_keys
from advocacy.db.pool import Database
from advocacy.identity.second_factor import rotate_secret_keys


async def rotate_all(db: Database, cipher: TokenCipher) -> dict[str, int]:
    """Counts of re-encrypted rows by table; raises TokenKeyMissing when no configured key reads one."""
    return {**await rotate_token_keys(db, cipher), **await rotate_secret_keys(db, cipher)}
