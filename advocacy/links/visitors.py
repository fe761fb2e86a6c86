"""Who a visitor is without knowing them: HMAC(IP, user agent) under a key that changes every UTC day.

The key is derived from SECRET_KEY and the date, so replicas agree without talking and no key is stored;
raw addresses never leave the request. The same visitor under the previous day's key is computed too, only
to judge the 24 h window across midnight; it is erased from the row once the click is settled.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

HASH_BYTES = 16


class VisitorHasher:
    def __init__(self, secret_key: str) -> None:
        self._secret = secret_key.encode()
        self._keys: dict[date, bytes] = {}

    def key_for(self, day: date) -> bytes:
        key = self._keys.get(day)
        if key is None:
            if len(self._keys) > 4:
                self._keys.clear()
            key = hmac.new(
                self._secret, b"advocacy-visitor:" + day.isoformat().encode(), hashlib.sha256
            ).digest()
            self._keys[day] = key
        return key

    def hash(self, day: date, address: str, user_agent: str) -> bytes:
        return self._digest(day, _message(address, user_agent))

    def address_hash(self, day: date, address: str) -> bytes:
        """The address alone (no browser) under the day's key: what one address did across browsers."""
        return self._digest(day, b"address\x00" + address.encode())

    def today_and_yesterday(self, day: date, address: str, user_agent: str) -> tuple[bytes, bytes]:
        message = _message(address, user_agent)
        return self._digest(day, message), self._digest(day - timedelta(days=1), message)

    def _digest(self, day: date, message: bytes) -> bytes:
        # hmac.digest is the one-shot C path: no HMAC object per click
        return hmac.digest(self.key_for(day), message, "sha256")[:HASH_BYTES]


def _message(address: str, user_agent: str) -> bytes:
    return address.encode() + b"\x00" + user_agent.encode("utf-8", "replace")
