"""Queries compiled once (portail.common.prepared) give what the ORM gives, on both engines: the
same instances, annotations converted the same way (a Decimal, a date, a boolean), values
bound anew at each run (a UUID on SQLite too); compiled once per connection and key."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import BigIntegerField, Exists, F, OuterRef, Subquery, UUIDField
from django.db.transaction import TransactionManagementError

from portail.common.prepared import Param, compiled, insert, numbered
from portail.events.models import DomainEvent
from portail.portfolios.models import Tenancy
from portail.rents.models import JulyRent, RentSubmission
from tests.factories import JulyRentFactory, TenancyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tenancies(*, year: int, portfolio, token, compiled_once: bool):
    """Tenancies of a portfolio with their July rent of the year, whether it was declared and
    the submission sent with a token: by the ORM, or with Params to compile once."""
    if compiled_once:
        portfolio, token = Param("portfolio", BigIntegerField()), Param("token", UUIDField())
    return (
        Tenancy.objects.filter(portfolio_id=portfolio)
        .annotate(
            rent=Subquery(
                JulyRent.objects.filter(tenancy=OuterRef("pk"), year=year).values("amount")[:1]
            ),
            recorded=Subquery(
                JulyRent.objects.filter(tenancy=OuterRef("pk"), year=year).values("recorded_at")[:1]
            ),
            declared=Exists(
                JulyRent.objects.filter(tenancy=OuterRef("pk"), year=year, submission__isnull=False)
            ),
            replayed_id=Subquery(RentSubmission.objects.filter(token=token).values("pk")[:1]),
            start=F("start_date"),
        )
        .order_by("pk")
    )


@compiled
def _prepared(year: int):
    return _tenancies(year=year, portfolio=None, token=None, compiled_once=True)


def _seen(tenancies) -> list[tuple]:
    return [
        (t.pk, t.tenant_name, t.rent, t.recorded, t.declared, t.replayed_id, t.start)
        for t in tenancies
    ]


def test_a_compiled_query_gives_what_the_orm_gives_with_new_values_each_run():
    declared = TenancyFactory()
    portfolio = declared.portfolio
    submission = RentSubmission.objects.create(
        portfolio=portfolio,
        year=2026,
        channel=RentSubmission.Channel.ONLINE,
        token=uuid.uuid4(),
        submitted_by=UserFactory(landlord=portfolio.landlord),
        submitted_at=datetime.datetime(2026, 7, 2, tzinfo=datetime.UTC),
    )
    JulyRentFactory(tenancy=declared, year=2026, amount="650.55", submission=submission, version=1)
    other = TenancyFactory(portfolio=portfolio, tenant_name="Zoé ZOLA")
    JulyRentFactory(tenancy=other, year=2025, amount="1234.56")
    for year, token in ((2026, submission.token), (2025, uuid.uuid4()), (2026, uuid.uuid4())):
        orm = _tenancies(year=year, portfolio=portfolio.pk, token=token, compiled_once=False)
        once = _prepared(year).instances(portfolio=portfolio.pk, token=token)
        assert _seen(once) == _seen(orm)
        assert all(isinstance(t, Tenancy) and not t._state.adding for t in once)
    first = _prepared(2026).first(portfolio=portfolio.pk, token=submission.token)
    assert first.rent == Decimal("650.55") and isinstance(first.rent, Decimal)
    assert first.replayed_id == submission.pk
    assert first.declared is True
    assert _prepared(2026).first(portfolio=portfolio.pk + 1000, token=submission.token) is None


def test_compiled_once_per_connection_and_key():
    assert _prepared(2026) is _prepared(2026)
    assert _prepared(2025) is not _prepared(2026)
    assert "%s" in _prepared(2026).sql
    elsewhere = []

    def other_thread():
        try:
            elsewhere.append(_prepared(2026))
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert elsewhere and elsewhere[0] is not _prepared(2026)


def test_a_value_not_given_is_refused():
    with pytest.raises(KeyError, match="token"):
        _prepared(2026).instances(portfolio=1)


@compiled
def _locked():
    return Tenancy.objects.select_for_update().filter(pk=Param("pk", BigIntegerField()))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_locking_query_is_refused_outside_a_transaction_as_the_orm_refuses_it():
    tenancy = TenancyFactory()
    with transaction.atomic():
        assert _locked().first(pk=tenancy.pk) == tenancy
    with pytest.raises(TransactionManagementError):
        _locked().first(pk=tenancy.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_compiled_statements_are_prepared_on_the_server_and_the_orms_are_not():
    tenancy = TenancyFactory()
    for _ in range(2):
        assert _prepared(2026).first(portfolio=tenancy.portfolio_id, token=uuid.uuid4()) == tenancy
    assert not JulyRent.objects.filter(amount__gt=1_000_000).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert len([s for s in prepared if "rents_rentsubmission" in s]) == 1
    assert not [s for s in prepared if '"rents_julyrent"."amount" >' in s]  # the ORM's: not


def test_an_insert_writes_what_save_writes_and_skips_a_taken_unique_value():
    user = UserFactory()
    tenancy = TenancyFactory()
    token = uuid.uuid4()
    online = RentSubmission.Channel.ONLINE
    submission = RentSubmission(
        portfolio=tenancy.portfolio, year=2026, channel=online, token=token, submitted_by=user
    )
    assert insert(submission, skip_conflict=True)
    assert submission.pk is not None and not submission._state.adding
    saved = RentSubmission.objects.get(pk=submission.pk)
    assert (saved.token, saved.submitted_by, saved.submitted_at) == (
        token,
        user,
        submission.submitted_at,  # the field's default, as save() binds it
    )
    twin = RentSubmission(
        portfolio=tenancy.portfolio, year=2026, channel=online, token=token, submitted_by=user
    )
    with transaction.atomic():
        assert not insert(twin, skip_conflict=True)  # no error: the transaction goes on
        assert twin.pk is None and RentSubmission.objects.count() == 1
    event = DomainEvent(kind="acknowledgement.ready", landlord=user.landlord, data={"n": 1})
    assert insert(event)  # a primary key made by Python (a UUID): nothing returned
    assert not insert(event, skip_conflict=True)
    assert DomainEvent.objects.get(pk=event.pk).data == {"n": 1}


def test_placeholders_are_numbered_once_as_postgresql_reads_them():
    assert numbered("SELECT %s, '100%%' LIKE %s") == "SELECT $1, '100%' LIKE $2"
