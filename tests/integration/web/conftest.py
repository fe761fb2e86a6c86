"""Fixtures of the page tests: the content library built through the services."""

from __future__ import annotations

import pytest

from advocacy.db.pool import Database
from tests.factories import Factory
from tests.integration.content.conftest import Library


@pytest.fixture
async def library(db: Database, factory: Factory) -> Library:
    return Library(db, factory)
