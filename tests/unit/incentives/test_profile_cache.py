"""The per-process board profile cache: kept only while identity changes can be heard, dropped with them."""

from __future__ import annotations

from advocacy.auth.service import PrincipalCache
from advocacy.incentives.boards.profile_cache import BoardProfileCache
from advocacy.incentives.boards.schemas import BoardProfile


def _profile(person_id: int, name: str = "Ann") -> BoardProfile:
    return BoardProfile(
        person_id=person_id,
        display_name=name,
        team_id=None,
        visibility="public",
        alias_number=1,
        opted_in=True,
    )


def _live_cache() -> BoardProfileCache:
    principals = PrincipalCache(60)
    principals.live = True
    return BoardProfileCache(principals)


def test_profiles_read_are_served_from_the_cache_afterwards() -> None:
    cache = _live_cache()
    cache.put([_profile(1), _profile(2)], cache.generation)
    held, missing = cache.found([1, 2, 3])
    assert held == {1: _profile(1), 2: _profile(2)} and missing == [3]


def test_nothing_is_kept_while_identity_changes_cannot_be_heard() -> None:
    cache = BoardProfileCache(PrincipalCache(60))
    cache.put([_profile(1)], cache.generation)
    assert cache.found([1]) == ({}, [1])


def test_a_change_to_a_person_drops_their_profile_with_their_principal() -> None:
    cache = _live_cache()
    cache.put([_profile(1), _profile(2)], cache.generation)
    cache.principals.forget_person(1)
    assert cache.found([1, 2]) == ({2: _profile(2)}, [1])
    cache.principals.clear()
    assert cache.found([2]) == ({}, [2])


def test_a_profile_read_before_a_change_is_not_kept() -> None:
    cache = _live_cache()
    started = cache.generation
    cache.principals.forget_person(1)  # heard while the query was running
    cache.put([_profile(1, "Old name")], started)
    assert cache.found([1]) == ({}, [1])
