"""Charter rules round-trip through TOML and JSON, and bad rules are refused."""

from __future__ import annotations

import msgspec
import pytest

from advocacy.charter.engine import compile_charter
from advocacy.charter.rules import (
    Severity,
    load_default_rules,
    rules_from_json,
    rules_from_toml,
    rules_to_json,
    rules_to_toml,
)
from advocacy.core.errors import Invalid


def test_default_rules_round_trip_through_toml_and_json() -> None:
    rules = load_default_rules()
    assert rules_from_toml(rules_to_toml(rules)) == rules
    assert rules_from_json(rules_to_json(rules)) == rules


def test_severities_are_ordered() -> None:
    ranks = [s.rank for s in (Severity.ALLOW, Severity.WARN, Severity.REVIEW, Severity.BLOCK)]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 4


def test_unknown_field_is_refused() -> None:
    with pytest.raises(Invalid, match="surprise"):
        rules_from_json(b'{"surprise": 1}')


def test_duplicate_list_names_are_refused() -> None:
    data = msgspec.json.decode(rules_to_json(load_default_rules()))
    data["term_lists"].append(data["term_lists"][0])
    with pytest.raises(Invalid, match="unique"):
        rules_from_json(msgspec.json.encode(data))


def test_quiet_period_must_end_after_it_starts_and_be_timezone_aware() -> None:
    base = 'name = "q"\nstarts_at = 2027-01-02T00:00:00Z\n'
    with pytest.raises(Invalid, match="end after"):
        rules_from_toml(f"[[quiet_periods.periods]]\n{base}ends_at = 2027-01-01T00:00:00Z\n")
    with pytest.raises(Invalid):
        rules_from_toml(f"[[quiet_periods.periods]]\n{base}ends_at = 2027-01-03T00:00:00\n")


def test_an_empty_charter_compiles_and_allows_everything() -> None:
    charter = compile_charter(rules_from_json(b"{}"), version=1)
    verdict = charter.check("Bonjour Vexora", network="x", language="fr")  # type: ignore[arg-type]
    assert verdict.decision is Severity.ALLOW
