"""Agents follow the reports at /agence/: the queues (oldest first, filters, query counts),
state changes with a reason told to the landlord by e-mail or letter, changes handled."""

import datetime
import html
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from portail.audit.models import Event
from portail.correspondence.models import Message
from portail.correspondence.services import deliver_due_messages
from portail.obligations import services
from portail.obligations.models import ChangeReport, UnpaidRentReport
from tests.backoffice.conftest import make_staff, sign_in_client

from .conftest import make_landlord

pytestmark = pytest.mark.django_db


def unpaid_report(world, tenancy=None) -> UnpaidRentReport:
    return services.report_unpaid_rent(
        user=world.user,
        portfolio=_portfolio(world),
        tenancy_id=(tenancy or world.direct).pk,
        first_unpaid_month=datetime.date(2026, 9, 1),
        monthly_rent=Decimal("280"),
        monthly_charges=Decimal("20"),
        aid=Decimal("50"),
        amount_owed=Decimal("750"),
        tenant_pays_part=False,
        token=uuid.uuid4(),
    )


def _portfolio(world):
    from portail.portfolios.selectors import portfolio_for_user

    return portfolio_for_user(world.user, world.portfolio.pk)


@pytest.fixture
def agent_client(client, db):
    return sign_in_client(client, make_staff("agent"))


def test_the_queue_lists_open_reports_oldest_first_with_filters(agent_client):
    first = make_landlord(email="a@example.fr")
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)):
        older = unpaid_report(first)
    second = make_landlord(email="b@example.fr")
    newer = unpaid_report(second)
    url = reverse("backoffice:unpaid_queue")
    page = agent_client.get(url).content.decode()
    assert page.index(f"impayé n° {older.pk}<") < page.index(f"impayé n° {newer.pk}<")
    only = agent_client.get(url, {"q": second.direct.recipient_number}).content.decode()
    assert f"impayé n° {newer.pk}<" in only and f"impayé n° {older.pk}<" not in only
    closed = agent_client.get(url, {"etat": "closed"}).content.decode()
    assert "0 signalement," in closed


def test_a_state_change_needs_a_reason_and_is_emailed_to_the_landlord(agent_client, smtp_server):
    world = make_landlord(email="bailleur@example.fr")
    report = unpaid_report(world)
    url = reverse("backoffice:unpaid_detail", args=[report.pk])
    page = html.unescape(agent_client.post(url, {"status": "plan_expected"}).content.decode())
    assert "Indiquez le motif" in page
    agent_client.post(url, {"status": "plan_expected", "reason": "Dette de 750 € confirmée."})
    report.refresh_from_db()
    assert report.status == "plan_expected" and report.version == 2
    assert str(report.plan_due_on) == "2027-05-27"
    deliver_due_messages()
    mail = smtp_server.messages[-1]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["To"] == "bailleur@example.fr"
    assert "plan d'apurement attendu" in body and "Dette de 750 € confirmée." in body
    assert "27 mai 2027" in body
    assert Event.objects.filter(action="unpaid_rent_status_changed").count() == 1
    # The landlord's pages show the new state.
    world_client = agent_client
    world_client.force_login(world.user)
    tenancy = html.unescape(
        world_client.get(
            reverse("obligations:tenancy", args=[world.portfolio.pk, world.direct.pk])
        ).content.decode()
    )
    assert "Impayé signalé le 27/11/2026" in tenancy and "plan d'apurement attendu" in tenancy


def test_without_an_email_address_the_landlord_gets_a_letter(agent_client):
    world = make_landlord(email="")
    report = unpaid_report(world)
    agent_client.post(
        reverse("backoffice:unpaid_detail", args=[report.pk]),
        {"status": "under_review", "reason": "Dossier pris en charge."},
    )
    message = Message.objects.get(kind="unpaid_rent_status")
    assert message.channel == "letter"


def test_a_closed_report_changes_no_more(agent_client):
    report = unpaid_report(make_landlord(email="x@example.fr"))
    url = reverse("backoffice:unpaid_detail", args=[report.pk])
    agent_client.post(url, {"status": "closed", "reason": "Dette soldée."})
    page = agent_client.post(url, {"status": "received", "reason": "Erreur"}).content.decode()
    report.refresh_from_db()
    assert report.status == "closed" and "Ce signalement est clos" in page


def test_changes_are_handled_and_the_landlord_told(agent_client):
    world = make_landlord(email="c@example.fr")
    change = services.report_change(
        user=world.user,
        portfolio=_portfolio(world),
        tenancy_id=world.direct.pk,
        content={"kind": "departure", "move_out_date": datetime.date(2026, 12, 31)},
        token=uuid.uuid4(),
    )
    queue = agent_client.get(reverse("backoffice:change_queue")).content.decode()
    assert f"changement n° {change.pk}<" in queue
    agent_client.post(reverse("backoffice:change_detail", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == ChangeReport.Status.HANDLED and change.handled_at is not None
    assert Message.objects.get(kind="change_handled").channel == "email"
    assert f"changement n° {change.pk}<" not in (
        agent_client.get(reverse("backoffice:change_queue")).content.decode()
    )


def test_queues_pin_their_query_count(agent_client, django_assert_num_queries):
    for n in range(3):
        world = make_landlord(email=f"q{n}@example.fr")
        unpaid_report(world)
        services.report_change(
            user=world.user,
            portfolio=_portfolio(world),
            tenancy_id=world.other.pk,
            content={"kind": "departure", "move_out_date": datetime.date(2026, 12, 31)},
            token=uuid.uuid4(),
        )
    agent_client.get(reverse("backoffice:search"))  # the session's first page restarts its clock
    # session, user, OTP device, permissions (two: user's and groups'), COUNT, the page's rows
    for name in ("backoffice:unpaid_queue", "backoffice:change_queue"):
        with django_assert_num_queries(7):
            page = agent_client.get(reverse(name)).content.decode()
        assert page.count("n° ") >= 3


def test_landlords_and_other_staff_roles(client):
    world = make_landlord()
    client.force_login(world.user)
    assert client.get(reverse("backoffice:unpaid_queue")).status_code == 403
    for role in ("supervisor", "administrator"):
        sign_in_client(client, make_staff(role))
        assert client.get(reverse("backoffice:change_queue")).status_code == 200


def test_an_administrator_adds_a_rule_in_the_admin_an_agent_cannot(client):
    from portail.obligations.models import UnpaidRentRule

    sign_in_client(client, make_staff("agent"))
    add = reverse("admin:obligations_unpaidrentrule_add")
    assert client.get(add).status_code in (302, 403)
    sign_in_client(client, make_staff("administrator"))
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "valid_from": "01/01/2028",
            "kind": "amount_or_months",
            "amount": "500",
            "missed_months": "3",
            "report_within_months": "2",
            "source": "Décret fictif n° 2027-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert UnpaidRentRule.objects.filter(valid_from="2028-01-01").exists()
