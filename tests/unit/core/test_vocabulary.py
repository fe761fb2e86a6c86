"""The shared vocabulary: each code list is one list, and an administrator passes every role check."""

from __future__ import annotations

from typing import get_args

from advocacy.core.language import LANGUAGES, BilingualText, Language, LanguageCode
from advocacy.core.networks import CONNECTED_NETWORKS, NETWORKS, ConnectedNetwork, Network, NetworkCode
from advocacy.core.roles import Role, effective_roles, has_any_role


def test_the_language_literal_and_enum_hold_the_same_codes() -> None:
    assert list(get_args(LanguageCode)) == [language.value for language in Language] == list(LANGUAGES)


def test_the_network_literal_and_enum_hold_the_same_codes() -> None:
    assert list(get_args(NetworkCode)) == [network.value for network in Network] == list(NETWORKS)


def test_connected_networks_are_known_networks() -> None:
    assert list(get_args(ConnectedNetwork)) == list(CONNECTED_NETWORKS)
    assert set(CONNECTED_NETWORKS) < set(NETWORKS)


def test_an_administrator_passes_every_role_check() -> None:
    for role in Role:
        assert has_any_role(frozenset({Role.ADMIN.value}), {role})
    assert effective_roles({"admin"}) >= {role.value for role in Role}


def test_other_roles_pass_only_their_own_checks() -> None:
    assert has_any_role(frozenset({"hr"}), {Role.HR, Role.COMPLIANCE})
    assert not has_any_role(frozenset({"hr", "employee"}), {Role.CURATOR})
    assert effective_roles({"curator"}) == {"curator"}


def test_bilingual_text_reads_in_the_language_asked() -> None:
    text = BilingualText(fr="Bonjour", en="Hello")
    assert text.in_language("fr") == text.in_language(Language.FR) == "Bonjour"
    assert text.in_language("en") == "Hello"
