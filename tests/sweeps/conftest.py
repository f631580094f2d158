"""The sweeps' world, on a day the 2026 campaign is open."""

import pytest
import time_machine

from .world import CAMPAIGN_DAY, build_world


@pytest.fixture
def world(db):
    with time_machine.travel(CAMPAIGN_DAY, tick=True):
        yield build_world()
