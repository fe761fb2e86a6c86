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
        message = address.encode() + b"\x00" + user_agent.encode("utf-8", "replace")
        return hmac.new(self.key_for(day), message, hashlib.sha256).digest()[:HASH_BYTES]

    def today_and_yesterday(self, day: date, address: str, user_agent: str) -> tuple[bytes, bytes]:
        return self.hash(day, address, user_agent), self.hash(day - timedelta(days=1), address, user_agent)
