"""Charter API tests start with the demo organisation's default charter in force."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from advocacy.charter.rules import load_default_rules
from advocacy.charter.schemas import CharterRead
from tests.factories import Factory

CHECK = "/api/v1/charter/check"
VERSIONS = "/api/v1/charters"


def default_rules() -> dict[str, Any]:
    rules: dict[str, Any] = msgspec.to_builtins(load_default_rules())
    return rules


@pytest.fixture
async def in_force(factory: Factory) -> CharterRead:
    """The default FR/EN charter, active."""
    return await factory.charter(rules=default_rules())
