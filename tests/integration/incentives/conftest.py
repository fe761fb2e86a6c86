"""Incentives tests drive the real click pipeline (the shares tests' helpers) and the fake networks (the
connector tests' fixtures) for metric polling."""

from tests.integration.connectors.conftest import (  # noqa: F401
    api,
    cipher,
    fake_servers,
    fakes,
    net_app,
    net_settings,
    registry,
)
from tests.integration.shares.conftest import sharing  # noqa: F401
