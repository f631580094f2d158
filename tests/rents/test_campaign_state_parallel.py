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
from portail.rents import campaign_years, declarations, rules
from portail.rents.models import CampaignStatusCount
from tests.factories import JulyRentFactory, TenancyFactory

from .helpers import all_versions, make_world, own_connection_thread

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
    campaign_years.build_year(2026)  # the test's database was emptied: the turn of year
    before = _counts(world.portfolio)
    barrier = threading.Barrier(PARALLEL)
    errors = []

    def declare(tenancy):
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

    threads = [own_connection_thread(declare, errors, t) for t in tenancies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    after = _counts(world.portfolio)
    assert after[rules.Status.TO_DECLARE] == before[rules.Status.TO_DECLARE] - PARALLEL
    assert after[rules.Status.DECLARED] == before[rules.Status.DECLARED] + PARALLEL
    assert campaign_years.verify_year(2026) == []


def _counts(portfolio) -> dict:
    rows = CampaignStatusCount.objects.filter(portfolio=portfolio, year=2026)
    counts = {status: 0 for status in rules.Status.LABELS}
    counts.update(rows.values_list("status", "tenancies"))
    return counts


FILES_TENANCIES = 60


@pytest.mark.parametrize("declared_before", [False, True], ids=["first", "corrections"])
def test_two_files_of_one_portfolio_recorded_at_once_both_land(declared_before):
    """Two files over the same tenancies, in opposite line orders, recorded at the same time
    (two workers of the files queue): both are recorded, one after the other, without a
    deadlock between their row locks; every version is kept and the states agree."""

    from portail.rents import bulk

    world = make_world()
    tenancies = [
        TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2020, 1, 1))
        for _ in range(FILES_TENANCIES)
    ]
    for tenancy in tenancies:
        JulyRentFactory(tenancy=tenancy, year=2025, amount=Decimal("600.00"))
    campaign_years.build_year(2026)
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)
    if declared_before:
        bulk.record_bulk_import(
            bulk_import_id=_checked_file(world, tenancies, "605,00").pk,
            user=world.user,
            confirmed=True,
        )
    files = [
        _checked_file(world, tenancies, "610,00"),
        _checked_file(world, list(reversed(tenancies)), "620,00"),
    ]
    barrier = threading.Barrier(len(files))
    errors = []

    def record(file):
        barrier.wait()
        bulk.record_bulk_import(bulk_import_id=file.pk, user=world.user, confirmed=True)

    threads = [own_connection_thread(record, errors, file) for file in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    del portfolio
    versions = 3 if declared_before else 2
    for tenancy in tenancies:
        assert len(all_versions(tenancy)) == versions
    assert campaign_years.verify_year(2026) == []


def _checked_file(world, tenancies, amount: str):
    from django.core.files.base import ContentFile

    from portail.rents import bulk

    content = "".join(f"{t.recipient_number};{amount}\n" for t in tenancies).encode()
    deposited = bulk.deposit_bulk_import(
        user=world.user,
        portfolio=portfolio_for_user(world.user, world.portfolio.pk),
        upload=ContentFile(content, name="loyers.csv"),
    )
    checked = bulk.check_bulk_import(bulk_import_id=deposited.pk)
    assert checked.status == checked.Status.CHECKED and not checked.errors
    return checked


def test_a_rent_declared_on_screen_during_a_first_files_copy_is_kept_as_a_version():
    """A file's first declaration is one COPY; a rent declared on screen meanwhile makes it
    fail on that tenancy's row, and the file is then written as corrections: both versions
    are kept, the file's last."""
    from django.db import transaction

    from portail.rents import bulk

    world = make_world()
    tenancies = [
        TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2020, 1, 1))
        for _ in range(5)
    ]
    for tenancy in tenancies:
        JulyRentFactory(tenancy=tenancy, year=2025, amount=Decimal("600.00"))
    campaign_years.build_year(2026)
    file = _checked_file(world, tenancies, "610,00")
    declared, go = threading.Event(), threading.Event()
    errors = []

    def declare_on_screen():
        with transaction.atomic():
            declarations.declare_rent(
                user=world.user,
                portfolio=portfolio_for_user(world.user, world.portfolio.pk),
                tenancy_id=tenancies[0].pk,
                year=2026,
                amount=Decimal("605.00"),
                token=uuid.uuid4(),
                expected_version=0,
                confirmed=True,
            )
            declared.set()
            go.wait(timeout=30)

    def record_file():
        bulk.record_bulk_import(bulk_import_id=file.pk, user=world.user, confirmed=True)

    screen = own_connection_thread(declare_on_screen, errors)
    screen.start()
    assert declared.wait(timeout=30)
    recording = own_connection_thread(record_file, errors)
    recording.start()
    recording.join(timeout=1.5)  # the COPY waits on the screen's uncommitted row
    go.set()
    screen.join()
    recording.join()
    assert errors == []
    assert [(v, str(a)) for _, v, a in all_versions(tenancies[0])] == [(1, "605.00"), (2, "610.00")]
    assert campaign_years.verify_year(2026) == []
