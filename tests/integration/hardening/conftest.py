"""The shares world (items, ambassadors, shares through the API) for the hardening tests."""

from tests.integration.shares.conftest import sharing

__all__ = ["sharing"]
