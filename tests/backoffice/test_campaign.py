"""Running the campaign: dates, dashboard, reminders once a day, the CSV export."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from portail.audit.models import Event
from portail.backoffice import selectors, services
from portail.backoffice.models import Reminder
from portail.correspondence.models import Message
from portail.rents import selectors as rent_selectors
from portail.rents.models import RentCampaign
from tests.factories import PortfolioFactory, TenancyFactory, UserFactory

from .helpers import declare

pytestmark = pytest.mark.django_db
PARIS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def campaign_world():
    """Two landlords: Alice declared 2 of 3 tenancies, Bruno none of 1; one tenancy left in 2025."""
    alice = UserFactory(email="alice@example.fr", landlord__name="Alice ARNAUD")
    bruno = UserFactory(email="bruno@example.fr", landlord__name="Bruno BLANC")
    mine = PortfolioFactory(landlord=alice.landlord)
    tenancies = [TenancyFactory(portfolio=mine) for _ in range(3)]
    TenancyFactory(portfolio=mine, end_date=datetime.date(2025, 12, 31))  # not concerned
    TenancyFactory(portfolio=PortfolioFactory(landlord=bruno.landlord))
    declare(tenancies[0], user=alice, when=datetime.datetime(2026, 7, 2, 10, tzinfo=PARIS))
    declare(tenancies[1], user=alice, when=datetime.datetime(2026, 7, 3, 10, tzinfo=PARIS))
    return alice, bruno


def test_dashboard_shares_per_day_and_per_size(campaign_world):
    dashboard = selectors.campaign_dashboard(2026)
    assert (dashboard.concerned, dashboard.declared, dashboard.share) == (4, 2, 50.0)
    assert [(d["day"].day, d["count"], d["share"]) for d in dashboard.days] == [
        (2, 1, 25.0),
        (3, 1, 50.0),
    ]
    sizes = {size["label"]: (size["portfolios"], size["declared"]) for size in dashboard.sizes}
    assert sizes["1 locataire"] == (1, 0)
    assert sizes["2 à 5 locataires"] == (1, 2)


def test_corrected_or_replaced_declarations_still_count_once_on_their_first_day(campaign_world):
    import uuid
    from decimal import Decimal

    from portail.portfolios.selectors import portfolio_for_user
    from portail.rents import declarations as rent_services
    from portail.rents.models import JulyRent

    alice, _ = campaign_world
    first, second = JulyRent.objects.filter(year=2026).order_by("recorded_at")
    portfolio = portfolio_for_user(alice, first.tenancy.portfolio_id)
    with time_machine.travel(datetime.datetime(2026, 7, 5, 10, tzinfo=PARIS)):
        rent_services.declare_rent(
            user=alice,
            portfolio=portfolio,
            tenancy_id=first.tenancy_id,
            year=2026,
            amount=Decimal("701.00"),
            token=uuid.uuid4(),
            expected_version=1,
            confirmed=True,
        )
    # The agency's own rent replaces the second declaration: it stays declared.
    rent_services.record_current_rent(
        tenancy_id=second.tenancy_id,
        year=2026,
        values={"amount": Decimal("690.00"), "source": JulyRent.Source.FEED},
    )
    dashboard = selectors.campaign_dashboard(2026)
    assert (dashboard.concerned, dashboard.declared) == (4, 2)
    assert [(d["day"].day, d["count"]) for d in dashboard.days] == [(2, 1), (3, 1)]
    declared = rent_selectors.concerned_tenancies(2026).filter(is_declared=True)
    assert set(declared.values_list("pk", flat=True)) == {first.tenancy_id, second.tenancy_id}


def test_dashboard_page_has_an_accessible_chart_and_the_undeclared_landlords(
    agent_client, campaign_world
):
    page = agent_client.get(reverse("backoffice:campaign") + "?annee=2026").content.decode()
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in page
    assert "02/07/2026" in page and "50 %" in page
    assert "Alice ARNAUD" in page and "Bruno BLANC" in page
    # An agent sees no supervisor button.
    assert "Relancer ces bailleurs" not in page and "Changer les dates" not in page


def test_supervisor_sets_the_dates(supervisor_client):
    url = reverse("backoffice:campaign_dates") + "?annee=2026"
    page = supervisor_client.post(
        url, {"opens_on": "01/07/2026", "closes_on": "30/06/2026"}
    ).content.decode()
    assert "La clôture doit venir après l&#x27;ouverture." in page
    supervisor_client.post(url, {"opens_on": "01/07/2026", "closes_on": "31/01/2027"})
    campaign = RentCampaign.objects.get(year=2026)
    assert campaign.closes_on == datetime.date(2027, 1, 31)
    assert Event.objects.filter(action="staff.campaign_dates").exists()


def test_reminders_one_per_landlord_never_twice_the_same_day(supervisor_client, campaign_world):
    alice, bruno = campaign_world
    url = reverse("backoffice:send_reminders") + "?annee=2026"
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, tzinfo=PARIS), tick=False):
        supervisor_client.post(url)
        supervisor_client.post(url)
        assert Message.objects.filter(kind="campaign_reminder").count() == 2
        assert set(Reminder.objects.values_list("landlord__name", flat=True)) == {
            "Alice ARNAUD",
            "Bruno BLANC",
        }
    with time_machine.travel(datetime.datetime(2026, 11, 28, 9, tzinfo=PARIS), tick=False):
        counts = services.send_reminders(year=2026, agent=alice, ip=None)
    assert (counts.sent, counts.already_today) == (2, 0)
    assert Message.objects.filter(kind="campaign_reminder").count() == 4


def test_no_reminder_for_rents_the_agency_already_has(supervisor_client, campaign_world):
    """Bruno's only tenancy gets its July 2026 rent from the feed: his list says "Déclaré",
    so he is neither listed nor reminded; Alice still has one rent to declare."""
    from portail.rents.models import JulyRent

    _alice, bruno = campaign_world
    tenancy = TenancyFactory._meta.model.objects.get(portfolio__landlord=bruno.landlord)
    JulyRent.objects.create(tenancy=tenancy, year=2026, amount="610.00", source="feed")
    page = supervisor_client.get(reverse("backoffice:campaign") + "?annee=2026").content.decode()
    assert "Alice ARNAUD" in page and "Bruno BLANC" not in page
    supervisor_client.post(reverse("backoffice:send_reminders") + "?annee=2026")
    assert list(Reminder.objects.values_list("landlord__name", flat=True)) == ["Alice ARNAUD"]


def test_the_list_says_who_was_reminded_today(supervisor_client, campaign_world):
    supervisor_client.post(reverse("backoffice:send_reminders") + "?annee=2026")
    page = supervisor_client.get(reverse("backoffice:campaign") + "?annee=2026").content.decode()
    assert page.count("relancé aujourd'hui") == 2


def test_the_database_refuses_a_second_reminder_the_same_day(campaign_world):
    from django.db import IntegrityError, transaction

    alice, _ = campaign_world
    Reminder.objects.create(landlord=alice.landlord, year=2026, sent_on=datetime.date(2026, 11, 27))
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            landlord=alice.landlord, year=2026, sent_on=datetime.date(2026, 11, 27)
        )


def test_export_lists_the_declared_rents_of_the_year(supervisor_client, campaign_world):
    response = supervisor_client.get(reverse("backoffice:export_rents") + "?annee=2026")
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "recipient_number,year,month,amount,source"
    assert len(lines) == 3 and lines[1].endswith(",2026,7,700.00,online")
    assert Event.objects.filter(action="staff.rents_exported").exists()


def test_many_reminders_go_to_the_background_worker(supervisor_client, campaign_world, settings):
    from portail.backoffice.views import campaign as views

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    original, views.REMINDERS_IN_REQUEST = views.REMINDERS_IN_REQUEST, 1
    try:
        response = supervisor_client.post(
            reverse("backoffice:send_reminders") + "?annee=2026", follow=True
        )
    finally:
        views.REMINDERS_IN_REQUEST = original
    assert "en cours d&#x27;envoi" in response.content.decode()
    assert Reminder.objects.count() == 2
    assert Event.objects.get(action="staff.campaign_reminders").details["sent"] == 2
