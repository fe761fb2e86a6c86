"""Reach tests reuse the fake networks and helpers of the connector tests."""

from tests.integration.connectors.conftest import (  # noqa: F401
    api,
    cipher,
    fake_servers,
    fakes,
    net_app,
    net_settings,
    registry,
)
