"""Incentives tests drive the real click pipeline (the shares tests' helpers) and the fake networks (the
connector tests' fixtures) for metric polling."""

from tests.integration.shares.conftest import sharing  # noqa: F401
