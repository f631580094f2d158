"""The states of a file's tenancies (rents.file_states) stay what the rule computes: a first
file, the same file again (nothing to change), another amount, a tenancy whose state is
missing, a year N+1 kept beside N, and, on PostgreSQL, a state changed by another
transaction while the file's statement waits for it."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction

from portail.portfolios.selectors import portfolio_for_user
from portail.rents import bulk, campaign_state, campaign_years, rules
from portail.rents.models import CampaignStatusCount, TenancyCampaignState
from tests.factories import JulyRentFactory, TenancyFactory

from .helpers import make_world, own_connection_thread

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("year_built")]
YEAR = 2026


def _tenancies(world, count: int = 6):
    tenancies = [
        TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2020, 1, 1))
        for _ in range(count)
    ]
    for tenancy in tenancies:
        JulyRentFactory(tenancy=tenancy, year=YEAR - 1, amount=Decimal("600.00"))
    return tenancies


def _record(world, tenancies, amount: str):
    content = "".join(f"{t.recipient_number};{amount}\n" for t in tenancies).encode()
    deposited = bulk.deposit_bulk_import(
        user=world.user,
        portfolio=portfolio_for_user(world.user, world.portfolio.pk),
        upload=ContentFile(content, name="loyers.csv"),
    )
    checked = bulk.check_bulk_import(bulk_import_id=deposited.pk)
    assert not checked.errors
    return bulk.record_bulk_import(bulk_import_id=checked.pk, user=world.user, confirmed=True)


def _state(tenancy, year: int = YEAR):
    return TenancyCampaignState.objects.get(tenancy=tenancy, year=year)


@pytest.mark.django_db(transaction=True)  # each file committed, as the worker does
def test_files_again_and_corrected_keep_the_states_and_counts():
    world = make_world()
    tenancies = _tenancies(world)
    for amount in ("610,00", "610,00", "620,00"):
        _record(world, tenancies, amount)
        assert campaign_years.verify_year(YEAR) == []
    state = _state(tenancies[0])
    assert (state.status, state.rent_current_key, state.landlord_declared) == (
        rules.Status.DECLARED,
        Decimal("620.00"),
        True,
    )
    declared = CampaignStatusCount.objects.get(
        portfolio=world.portfolio, year=YEAR, status=rules.Status.DECLARED
    )
    assert (declared.tenancies, declared.declared) == (len(tenancies), len(tenancies))


def test_a_tenancy_without_its_state_gets_it_computed():
    world = make_world()
    tenancies = _tenancies(world)
    campaign_state.forget_states([tenancies[2].pk])  # its state and its counts
    _record(world, tenancies, "610,00")
    assert _state(tenancies[2]).status == rules.Status.DECLARED
    assert campaign_years.verify_year(YEAR) == []


def test_the_next_year_kept_too_takes_the_files_rent_as_its_previous_one():
    world = make_world()
    tenancies = _tenancies(world)
    campaign_years.build_year(YEAR + 1)
    _record(world, tenancies, "610,00")
    state = _state(tenancies[0], YEAR + 1)
    assert (state.status, state.rent_previous_key) == (rules.Status.TO_DECLARE, Decimal("610.00"))
    assert campaign_years.verify_year(YEAR) == []
    assert campaign_years.verify_year(YEAR + 1) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"
)
def test_a_state_changed_while_the_file_waits_for_it_is_recomputed():
    """A tenancy ends (its state no longer concerned) in a transaction that holds its state
    while the file's UPDATE waits for it: the file's statement skips that state, which is then
    locked and recomputed; states and counts agree with the rule."""
    world = make_world()
    tenancies = _tenancies(world)
    ended = tenancies[3]
    holding, release = threading.Event(), threading.Event()
    errors = []

    def end_tenancy():
        with transaction.atomic():
            ended.end_date = datetime.date(YEAR, 3, 31)
            ended.save()  # refresh_states locks and changes its state
            holding.set()
            release.wait(timeout=30)

    ending = own_connection_thread(end_tenancy, errors)
    ending.start()
    assert holding.wait(timeout=30)
    recording = own_connection_thread(_record, errors, world, tenancies, "610,00")
    recording.start()
    _wait_for_a_lock_wait()
    release.set()
    ending.join()
    recording.join()
    assert errors == []
    state = _state(ended)
    assert (state.status, state.concerned) == (rules.Status.DECLARED, False)
    assert campaign_years.verify_year(YEAR) == []


def _wait_for_a_lock_wait() -> None:
    """Until another connection waits on a row lock (the file's UPDATE on the held state)."""
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the file never waited for the held state")
