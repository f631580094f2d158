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


@pytest.fixture
def client(client):
    """A test client whose force_login opens a session as the sign-in form does."""
    from portail.accounts.middleware import SIGNED_IN_AT
    from portail.common import clock

    original = client.force_login

    def force_login(user, backend=None):
        original(user, backend)
        session = client.session
        session[SIGNED_IN_AT] = clock.now().timestamp()
        session.save()

    client.force_login = force_login
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def year_built():
    """The 2026 campaign's kept states: the migration builds them; a test emptying the
    database removes them (used by the modules that read the states)."""
    from portail.rents import campaign_state, campaign_years

    if not campaign_state.built_years([2026]):
        campaign_years.build_year(2026)
