"""The principal cache drops exactly the changed person's credentials and /me row."""

from __future__ import annotations

from uuid import uuid4

from advocacy.auth.schemas import Principal
from advocacy.auth.service import PrincipalCache


def principal(person_id: int) -> Principal:
    return Principal(
        person_id=person_id, public_id=uuid4(), email=f"p{person_id}@example.com", display_name="P",
        language="fr", roles=frozenset({"employee"}), via="token",
    )  # fmt: skip


def test_forgetting_a_person_drops_their_credentials_and_row_only() -> None:
    cache = PrincipalCache(ttl=60)
    cache.live = True
    cache.put(b"token-a", principal(1))
    cache.put(b"session-a", principal(1))
    cache.put(b"token-b", principal(2))
    cache.put_person_row(1, {"id": 1})
    cache.put_person_row(2, {"id": 2})
    cache.forget_person(1)
    assert cache.get(b"token-a") is None and cache.get(b"session-a") is None
    assert cache.person_row(1) is None
    assert cache.get(b"token-b") is not None and cache.person_row(2) == {"id": 2}
    cache.forget(b"token-b")
    cache.put(b"token-a", principal(1))  # cached again after the change
    assert cache.get(b"token-a") is not None
    cache.forget_person(2)
    assert cache.get(b"token-a") is not None
