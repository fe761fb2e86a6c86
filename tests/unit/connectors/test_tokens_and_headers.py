"""Pure pieces of the connectors: PKCE S256, token encryption and rotation, rate-limit headers, TIDs."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.fernet import Fernet

from advocacy.connectors import pkce
from advocacy.connectors.bluesky import link_facets, tid_for
from advocacy.connectors.crypto import TokenCipher, TokenKeyMissing
from advocacy.connectors.http import retry_after_seconds
from advocacy.connectors.linkedin import little_text
from advocacy.settings import Settings, SettingsError


def test_the_pkce_challenge_is_the_rfc_7636_s256_of_the_verifier() -> None:
    # RFC 7636 appendix B
    assert (
        pkce.challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    verifier = pkce.new_verifier()
    assert 43 <= len(verifier) <= 128
    assert pkce.state_hash("s") == hashlib.sha256(b"s").digest()


def test_the_first_key_encrypts_every_key_decrypts_and_rotation_moves_to_the_first() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    before = TokenCipher([old]).encrypt("token")
    both = TokenCipher([new, old])
    assert both.decrypt(before) == "token"
    rotated = both.rotate(before)
    assert TokenCipher([new]).decrypt(rotated) == "token"
    with pytest.raises(TokenKeyMissing):
        TokenCipher([new]).decrypt(before)


def test_a_malformed_encryption_key_is_refused_at_start_up() -> None:
    with pytest.raises(SettingsError, match="TOKEN_ENCRYPTION_KEYS"):
        Settings(
            database_url="postgresql://x/y",
            redis_url="redis://x",
            secret_key="s" * 40,
            token_encryption_keys=base64.urlsafe_b64encode(b"short").decode(),
        )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "Thu, 01 Jan 2026 00:01:40 GMT"}, 100.0),
        ({"x-rate-limit-reset": "1767225700"}, 100.0),  # X: epoch seconds
        ({"ratelimit-reset": "1767225700"}, 100.0),  # Bluesky
        ({"x-ratelimit-reset": "2026-01-01T00:01:40.000Z"}, 100.0),  # Mastodon: ISO 8601
        ({}, 60.0),
    ],
)
def test_retry_after_is_read_from_each_networks_headers(headers: dict[str, str], expected: float) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert retry_after_seconds(httpx.Headers(headers), now=now) == pytest.approx(expected)


def test_bluesky_record_keys_are_stable_tids_and_link_facets_count_utf8_bytes() -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    key = tid_for("share-1", at)
    assert key == tid_for("share-1", at) and key != tid_for("share-2", at)
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    text = "Été : https://a.example/l/x"
    facet = link_facets(text, "https://a.example/l/x")[0]["index"]
    assert text.encode()[facet["byteStart"] : facet["byteEnd"]] == b"https://a.example/l/x"


def test_linkedin_commentary_escapes_its_reserved_characters() -> None:
    assert little_text("Rejoignez-nous (CDI) #emploi @Acme") == "Rejoignez-nous \\(CDI\\) \\#emploi \\@Acme"
