"""The kept campaign states (rents.campaign_state) equal the rule after any writes: the
states and counts a random sequence of writes leaves are those a recomputation gives, on both
engines; the feed, a file of rents and a reported departure keep them too; the tenant list
filtered or sorted on them shows what the computed list shows; rebuild_campaign_state checks."""

import contextlib
import datetime
import shutil
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portail.portfolios.models import Tenancy
from portail.portfolios.selectors import portfolio_for_user
from portail.rents import campaign_state, campaign_years, declarations, rules
from portail.rents.models import CampaignStatusCount, JulyRent, TenancyCampaignState
from portail.rents.tenant_list import tenant_list
from portail.rents.tenant_pages import tenant_page
from tests.factories import JulyRentFactory, TenancyFactory

from ..conftest import DEMO_FEED
from .helpers import make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("year_built")]
YEAR = 2026


def kept_right(year: int = YEAR) -> list[str]:
    return campaign_years.verify_year(year)


def test_the_current_year_is_kept_by_single_saves():
    world = make_world()
    assert kept_right() == []
    states = dict(
        TenancyCampaignState.objects.filter(year=YEAR).values_list("tenancy_id", "status")
    )
    assert states == {
        world.known.pk: rules.Status.TO_DECLARE,
        world.missing.pk: rules.Status.RECEIPT,
        world.newcomer.pk: rules.Status.TO_DECLARE,
        world.gone.pk: rules.Status.NOT_REQUIRED,
    }
    count = CampaignStatusCount.objects.get(
        portfolio=world.portfolio, year=YEAR, status=rules.Status.TO_DECLARE
    )
    assert (count.tenancies, count.concerned, count.declared) == (2, 2, 0)


# --- A random sequence of writes ----------------------------------------------------------------

WRITES = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "declare",
                "feed_rent",
                "delete_rent",
                "delete_rents",
                "end",
                "report_end",
                "new",
                "delete",
                "move",
            ]
        ),
        st.integers(min_value=0, max_value=7),
        st.sampled_from([2025, 2026]),
        st.integers(min_value=1, max_value=900),
    ),
    min_size=1,
    max_size=12,
)


def _write(world, other, action: str, pick: int, year: int, amount: int) -> None:
    tenancies = list(Tenancy.objects.filter(portfolio__in=[world.portfolio, other]).order_by("pk"))
    if not tenancies and action != "new":
        return
    tenancy = tenancies[pick % len(tenancies)] if tenancies else None
    if action == "declare":
        with contextlib.suppress(declarations.DeclarationRefused):
            declarations.declare_rent(
                user=world.user,
                portfolio=portfolio_for_user(world.user, world.portfolio.pk),
                tenancy_id=tenancy.pk,
                year=YEAR,
                amount=Decimal(amount),
                token=uuid.uuid4(),
                expected_version=JulyRent.objects.filter(tenancy=tenancy, year=YEAR)
                .values_list("version", flat=True)
                .first()
                or 0,
                confirmed=True,
            )
    elif action == "feed_rent":  # the agency's rent, as a validated receipt records it
        declarations.record_current_rent(
            tenancy_id=tenancy.pk,
            year=year,
            values={"amount": Decimal(amount), "source": JulyRent.Source.FEED},
        )
    elif action == "delete_rent":  # the admin, one rent
        rent = JulyRent.objects.filter(tenancy=tenancy, year=year).first()
        if rent is not None:
            rent.delete()
    elif action == "delete_rents":  # the admin, a selection of rents
        JulyRent.objects.filter(tenancy__portfolio=tenancy.portfolio_id, year=year).delete()
    elif action == "end":  # the feed's end date, one tenancy saved
        tenancy.end_date = max(tenancy.start_date, datetime.date(2026, 1 + amount % 12, 1))
        tenancy.save()
    elif action == "report_end":  # a reported departure, as obligations writes it
        Tenancy.objects.filter(pk=tenancy.pk).update(
            reported_end_date=max(tenancy.start_date, datetime.date(2026, 1 + amount % 12, 1))
        )
        campaign_state.refresh_states([tenancy.pk])
    elif action == "new":
        TenancyFactory(
            portfolio=other if amount % 2 else world.portfolio,
            start_date=datetime.date(2024 + amount % 3, 1 + amount % 12, 1),
        )
    elif action == "delete":
        tenancy.delete()
    elif action == "move":  # the feed moves a tenancy to another portfolio
        Tenancy.objects.filter(pk=tenancy.pk).update(
            portfolio=other if tenancy.portfolio_id == world.portfolio.pk else world.portfolio
        )
        campaign_state.refresh_states([tenancy.pk])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=WRITES)
def test_after_any_writes_the_kept_states_and_counts_equal_the_rule(writes):
    with transaction.atomic():
        world = make_world()
        other = TenancyFactory().portfolio
        for write in writes:
            _write(world, other, *write)
        assert kept_right() == []
        for status in rules.Status.LABELS:
            page = tenant_page(
                world.portfolio, year=YEAR, number=1, per_page=500, status=status, sort="loyer"
            )
            computed = tenant_list(world.portfolio, year=YEAR, status=status, sort="loyer")
            assert sorted(row.pk for row in page.object_list) == sorted(t.pk for t in computed)
        transaction.set_rollback(True)


# --- The set writes -------------------------------------------------------------------------


def test_the_feed_keeps_the_states_of_what_it_writes(tmp_path):
    directory = tmp_path / "feed"
    shutil.copytree(DEMO_FEED, directory)
    call_command("import_feed", str(directory), stdout=None)
    assert TenancyCampaignState.objects.filter(year=YEAR).count() == Tenancy.objects.count()
    assert kept_right() == []
    tenancy = Tenancy.objects.filter(end_date__isnull=True).order_by("pk").first()
    (directory / "rents.csv").write_text(
        f"recipient_number,year,month,amount\n{tenancy.recipient_number},2026,7,701.15\n",
        encoding="utf-8",
    )
    lines = (directory / "tenancies.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], next(line for line in lines[1:] if line.split(",")[0] != "x")
    (directory / "tenancies.csv").write_text(f"{header}\n{first}\n", encoding="utf-8")
    (directory / "landlords.csv").unlink()
    call_command("import_feed", str(directory), stdout=None)
    state = TenancyCampaignState.objects.get(tenancy=tenancy, year=YEAR)
    assert (state.status, state.rent_current_key) == (rules.Status.DECLARED, Decimal("701.15"))
    assert kept_right() == []


def test_a_file_of_rents_keeps_the_states(tmp_path):
    from portail.rents import bulk

    world = make_world()
    for _n in range(30):
        JulyRentFactory(tenancy=TenancyFactory(portfolio=world.portfolio), year=2025)
    numbers = Tenancy.objects.filter(portfolio=world.portfolio).exclude(
        pk__in=[world.missing.pk, world.gone.pk]
    )
    content = "\n".join(f"{t.recipient_number};650,00" for t in numbers).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    portfolio = portfolio_for_user(world.user, world.portfolio.pk)
    imported = bulk.deposit_and_check_bulk_import(
        user=world.user, portfolio=portfolio, upload=SimpleUploadedFile("loyers.csv", content)
    )
    bulk.record_bulk_import(
        bulk_import_id=imported.pk, user=world.user, valid_only=False, confirmed=True
    )
    declared = CampaignStatusCount.objects.get(
        portfolio=world.portfolio, year=YEAR, status=rules.Status.DECLARED
    )
    assert (declared.tenancies, declared.declared) == (numbers.count(), numbers.count())
    assert kept_right() == []


def test_a_reported_departure_keeps_the_states():
    from portail.obligations import services as obligations

    world = make_world()
    obligations.report_change(
        user=world.user,
        portfolio=portfolio_for_user(world.user, world.portfolio.pk),
        tenancy_id=world.known.pk,
        content={"kind": "departure", "move_out_date": datetime.date(2026, 6, 15)},
        token=uuid.uuid4(),
    )
    state = TenancyCampaignState.objects.get(tenancy=world.known, year=YEAR)
    assert state.status == rules.Status.NOT_REQUIRED
    assert kept_right() == []


@pytest.mark.parametrize("deleted", ["tenancy", "portfolio", "landlord"])
def test_a_deleted_tenancy_portfolio_or_landlord_takes_its_states_and_counts(deleted):
    """The states' foreign keys have no constraint in the database (state_models): Django's
    collector deletes them with their tenancy or portfolio, and tenancy_deleting the counts."""
    world = make_world()
    kept = TenancyFactory(start_date=datetime.date(2020, 1, 1))
    {
        "tenancy": world.known,
        "portfolio": world.portfolio,
        "landlord": world.portfolio.landlord,
    }[deleted].delete()
    tenancies = set(Tenancy.objects.values_list("pk", flat=True))
    assert kept.pk in tenancies and world.known.pk not in tenancies
    states = TenancyCampaignState.objects.filter(year=YEAR)
    assert set(states.values_list("tenancy_id", flat=True)) == tenancies
    portfolio_id = world.known.portfolio_id
    counted = CampaignStatusCount.objects.filter(portfolio_id=portfolio_id, year=YEAR)
    assert sum(counted.values_list("tenancies", flat=True)) == len(tenancies - {kept.pk})
    assert kept_right() == []


def test_the_check_finds_a_state_without_its_tenancy():
    world = make_world()
    TenancyCampaignState.objects.filter(tenancy=world.known).update(tenancy_id=world.known.pk + 999)
    assert f"state of tenancy {world.known.pk + 999}: no such tenancy" in kept_right()


# --- The command ------------------------------------------------------------------------------


def test_the_command_finds_a_difference_and_rebuilds(capsys):
    world = make_world()
    call_command("rebuild_campaign_state", "--check")
    assert "agree with the rule" in capsys.readouterr().out
    TenancyCampaignState.objects.filter(tenancy=world.known).update(status="declared")
    with pytest.raises(CommandError, match="differences in the states of 2026"):
        call_command("rebuild_campaign_state", "--check")
    assert f"tenancy {world.known.pk}" in capsys.readouterr().out
    call_command("rebuild_campaign_state")
    assert "4 states built for the campaign 2026" in capsys.readouterr().out
    assert kept_right() == []
    with pytest.raises(CommandError, match="no campaign 1990"):
        call_command("rebuild_campaign_state", "--year", "1990")


def test_a_year_not_built_is_listed_from_the_computed_list():
    world = make_world()
    campaign_state.CampaignStateYear.objects.filter(year=YEAR).delete()
    page = tenant_page(world.portfolio, year=YEAR, number=1, per_page=50, status="receipt")
    assert [row.pk for row in page.object_list] == [world.missing.pk]


def test_a_declaration_refreshes_its_state_in_one_statement_or_three(django_assert_num_queries):
    """A single refresh: the states locked and read, one upsert computed by the database (the
    years not kept give no row), the counts moved; nothing to move when no value changes. On
    PostgreSQL all in one statement; elsewhere three (two when nothing moves)."""
    world = make_world()
    tenancy = TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2019, 1, 1))
    # Written without the signals, as a set write does: the state still says "to declare".
    JulyRent.objects.bulk_create(
        [JulyRent(tenancy=tenancy, year=YEAR, amount=Decimal("510.00"), source="feed")]
    )
    one = connection.vendor == "postgresql"
    with django_assert_num_queries(1 if one else 3):
        campaign_state.refresh_states([tenancy.pk], years=[YEAR, YEAR + 1])
    assert kept_right() == []
    with django_assert_num_queries(1 if one else 2):
        campaign_state.refresh_states([tenancy.pk], years=[YEAR, YEAR + 1])
    assert kept_right() == []
    state = TenancyCampaignState.objects.get(tenancy=tenancy, year=YEAR)
    assert (state.status, state.rent_current_key) == (rules.Status.DECLARED, Decimal("510.00"))


@pytest.mark.parametrize("chunk", [campaign_state.CHUNK, 2], ids=["one-chunk", "chunks"])
def test_both_ways_of_refreshing_keep_the_same_states_and_counts(monkeypatch, chunk):
    """More tenancies than a chunk are refreshed by the lock, the upsert and the counts (as on
    SQLite); a chunk's on PostgreSQL by one statement: the same states and counts either way,
    statuses moving both ways (declared, then back to be declared)."""
    world = make_world()
    monkeypatch.setattr(campaign_state, "CHUNK", chunk)
    ids = [world.known.pk, world.missing.pk, world.newcomer.pk, world.gone.pk]
    rents = JulyRent.objects.bulk_create(
        [
            JulyRent(tenancy=world.known, year=YEAR, amount=Decimal("660.00"), source="feed"),
            JulyRent(tenancy=world.missing, year=YEAR - 1, amount=Decimal("500.00"), source="feed"),
        ]
    )
    campaign_state.refresh_states(ids)
    assert kept_right() == []
    assert TenancyCampaignState.objects.get(tenancy=world.known, year=YEAR).status == (
        rules.Status.DECLARED
    )
    # Moved out of the years kept, without the signals: back to be declared, a receipt asked.
    JulyRent.objects.filter(pk__in=[rent.pk for rent in rents]).update(year=YEAR - 3)
    campaign_state.refresh_states(ids)
    assert kept_right() == []
    assert TenancyCampaignState.objects.get(tenancy=world.missing, year=YEAR).status == (
        rules.Status.RECEIPT
    )
    assert kept_right() == []


def test_a_refresh_of_few_tenancies_reuses_its_compiled_statements_with_their_own_ids():
    world = make_world()
    years = (2026, 2027)
    assert campaign_state._refresh_statements(years, 1) is campaign_state._refresh_statements(
        years, 1
    )  # compiled once for this shape and connection
    # and what it computes is each tenancy's own state
    TenancyCampaignState.objects.all().delete()
    CampaignStatusCount.objects.all().delete()
    campaign_state.refresh_states([world.known.pk])
    campaign_state.refresh_states([world.missing.pk])
    campaign_state.refresh_states([world.known.pk, world.missing.pk, world.gone.pk])
    assert dict(TenancyCampaignState.objects.values_list("tenancy_id", "status")) == {
        world.known.pk: rules.Status.TO_DECLARE,
        world.missing.pk: rules.Status.RECEIPT,
        world.gone.pk: rules.Status.NOT_REQUIRED,
    }
