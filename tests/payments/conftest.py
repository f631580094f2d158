"""Payments tests share the rents tests' day (27/11/2026) and signed-in client."""

from tests.rents.conftest import _campaign_day, client  # noqa: F401
