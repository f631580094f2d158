"""Rents tests run on 27/11/2026: the 2026 campaign is open, July 2025 is N-1."""

import datetime
import zoneinfo

import pytest
import time_machine

TODAY = datetime.datetime(2026, 11, 27, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _campaign_day():
    with time_machine.travel(TODAY, tick=True):
        yield
