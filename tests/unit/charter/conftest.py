"""Compiled charters shared by the charter unit tests (compiling is the slow part, so once per module)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from advocacy.charter.engine import CompiledCharter, compile_charter
from advocacy.charter.rules import load_default_rules

# Outside the default charter's quiet period.
ORDINARY_DAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
QUIET_DAY = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def charter() -> CompiledCharter:
    """The default charter, as the demo organisation ships it."""
    return compile_charter(load_default_rules(), version=7)


@pytest.fixture(scope="session")
def charter_without_disclosure() -> CompiledCharter:
    """The default charter for an organisation that does not reward sharing (no disclosure finding)."""
    rules = load_default_rules()
    disclosure = msgspec.structs.replace(rules.disclosure, rewards_sharing=False)
    return compile_charter(msgspec.structs.replace(rules, disclosure=disclosure), version=7)
