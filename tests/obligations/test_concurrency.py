"""Parallel reports on PostgreSQL: two colleagues (or two tabs) reporting the same tenant's
unpaid rent, or its departure, at the same moment record one report; the other is told why."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from portail.obligations import services
from portail.obligations.models import ChangeReport, UnpaidRentReport
from portail.portfolios.selectors import portfolio_for_user

from .conftest import make_landlord

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
    ),
]
PARALLEL = 6


def run_in_parallel(action) -> list:
    """Run ``action`` in PARALLEL threads (own connections) released together; its outcomes."""
    barrier = threading.Barrier(PARALLEL)
    outcomes = []

    def worker():
        from django.db import connection as own

        try:
            barrier.wait()
            outcomes.append(action())
        except services.ReportRefused as refusal:
            outcomes.append(refusal)
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_unpaid_reports_of_one_tenant_record_one():
    world = make_landlord()
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)

    def report():
        return services.report_unpaid_rent(
            user=world.user,
            portfolio=portfolio,
            tenancy_id=world.direct.pk,
            first_unpaid_month=datetime.date(2026, 9, 1),
            monthly_rent=Decimal("280"),
            monthly_charges=Decimal("20"),
            aid=Decimal("50"),
            amount_owed=Decimal("750"),
            tenant_pays_part=False,
            token=uuid.uuid4(),
        )

    outcomes = run_in_parallel(report)
    recorded = [o for o in outcomes if isinstance(o, UnpaidRentReport)]
    refused = [o for o in outcomes if isinstance(o, services.ReportRefused)]
    assert (len(recorded), len(refused)) == (1, PARALLEL - 1)
    assert all("déjà signalé" in r.message or "vient d'être" in r.message for r in refused)
    assert UnpaidRentReport.objects.count() == 1


def test_parallel_corrections_of_one_version_keep_one_and_refuse_the_others():
    world = make_landlord()
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)
    change = services.report_change(
        user=world.user,
        portfolio=portfolio,
        tenancy_id=world.direct.pk,
        content={"kind": "departure", "move_out_date": datetime.date(2026, 12, 31)},
        token=uuid.uuid4(),
    )
    days = iter(range(1, PARALLEL + 1))
    lock = threading.Lock()

    def correct():
        with lock:
            day = next(days)
        return services.correct_change(
            user=world.user,
            portfolio=portfolio,
            report_id=change.pk,
            content={"move_out_date": datetime.date(2026, 12, day)},
            expected_version=1,
        )

    outcomes = run_in_parallel(correct)
    assert sum(isinstance(o, ChangeReport) for o in outcomes) == 1
    change.refresh_from_db()
    assert change.version == 2 and change.versions.count() == 1
