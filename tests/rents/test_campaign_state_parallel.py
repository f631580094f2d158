"""Parallel declarations on PostgreSQL keep the campaign counts right: each moves its tenancy
from "to declare" to "declared" once, whatever the order the transactions meet on the
portfolio's count rows."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from portail.portfolios.selectors import portfolio_for_user
from portail.rents import campaign_state, declarations, rules
from portail.rents.models import CampaignStatusCount
from tests.factories import JulyRentFactory, TenancyFactory

from .helpers import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
    ),
]
PARALLEL = 6


def test_parallel_declarations_of_one_portfolio_leave_the_counts_right():
    world = make_world()
    tenancies = [
        TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2020, 1, 1))
        for _ in range(PARALLEL)
    ]
    for tenancy in tenancies:
        JulyRentFactory(tenancy=tenancy, year=2025, amount=Decimal("600.00"))
    campaign_state.build_year(2026)  # the test's database was emptied: the turn of year
    before = _counts(world.portfolio)
    barrier = threading.Barrier(PARALLEL)
    errors = []

    def declare(tenancy):
        from django.db import connection as own

        try:
            barrier.wait()
            declarations.declare_rent(
                user=world.user,
                portfolio=portfolio_for_user(world.user, world.portfolio.pk),
                tenancy_id=tenancy.pk,
                year=2026,
                amount=Decimal("610.00"),
                token=uuid.uuid4(),
                expected_version=0,
                confirmed=True,
            )
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=declare, args=(t,)) for t in tenancies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    after = _counts(world.portfolio)
    assert after[rules.Status.TO_DECLARE] == before[rules.Status.TO_DECLARE] - PARALLEL
    assert after[rules.Status.DECLARED] == before[rules.Status.DECLARED] + PARALLEL
    assert campaign_state.verify_year(2026) == []


def _counts(portfolio) -> dict:
    rows = CampaignStatusCount.objects.filter(portfolio=portfolio, year=2026)
    counts = {status: 0 for status in rules.Status.LABELS}
    counts.update(rows.values_list("status", "tenancies"))
    return counts
