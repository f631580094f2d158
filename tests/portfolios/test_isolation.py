"""Every portfolio and tenancy URL answers 404 with another landlord's ids (difficulty 11)."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portail.obligations.models import (
    ChangeReport,
    RepaymentPlan,
    UnpaidRentReport,
    UnpaidRentRule,
)
from portail.portfolios.models import Grant, Portfolio
from portail.portfolios.selectors import may_declare
from portail.rents.models import BulkImport, JulyRent, RentSubmission
from tests.factories import GrantFactory, LegalLandlordFactory, UserFactory
from tests.payments.helpers import pay
from tests.rents.helpers import make_world

pytestmark = pytest.mark.django_db


def portfolio_urls(ids: dict) -> list[str]:
    """Every route that takes a portfolio id (portfolios, rents, obligations and payments
    apps), filled with ids."""
    from portail.obligations import urls as obligation_routes
    from portail.payments import urls as payment_routes
    from portail.portfolios import urls as portfolio_routes
    from portail.rents import urls as rent_routes

    urls = []
    routes = (
        (portfolio_routes, set()),
        (rent_routes, {"portfolio_id"}),
        (obligation_routes, {"portfolio_id"}),
        (payment_routes, {"portfolio_id"}),
    )
    for module, prefix in routes:
        for pattern in module.urlpatterns:
            params = prefix | set(re.findall(r"<int:(\w+)>", str(pattern.pattern)))
            if "portfolio_id" in params:
                name = f"{module.app_name}:{pattern.name}"
                urls.append(reverse(name, kwargs={p: ids[p] for p in params}))
    return sorted(set(urls))


@pytest.fixture
def others():
    """Another landlord's portfolio with a tenancy, a submission and a file."""
    world = make_world()
    submission = RentSubmission.objects.create(
        portfolio=world.portfolio,
        year=2026,
        channel="online",
        token=uuid.uuid4(),
        submitted_by=world.user,
    )
    JulyRent.objects.create(
        submission=submission,
        tenancy=world.known,
        year=2026,
        version=1,
        amount="650.00",
        source=JulyRent.Source.ONLINE,
        recorded_by=world.user,
    )
    bulk = BulkImport.objects.create(
        portfolio=world.portfolio,
        year=2026,
        filename="f.csv",
        status="checked",
        uploaded_by=world.user,
        uploaded_at=datetime.datetime.now(tz=datetime.UTC),
    )
    unpaid = UnpaidRentReport.objects.create(
        tenancy=world.known,
        portfolio=world.portfolio,
        first_unpaid_month=datetime.date(2026, 9, 1),
        monthly_rent="650.00",
        monthly_charges="0",
        direct_payment=False,
        amount_owed="1950.00",
        tenant_pays_part=False,
        rule=UnpaidRentRule.objects.order_by("valid_from").first(),
        threshold="1300.00",
        threshold_reached_on=datetime.date(2026, 10, 1),
        deadline=datetime.date(2026, 12, 1),
        reported_by=world.user,
    )
    change = ChangeReport.objects.create(
        tenancy=world.known,
        portfolio=world.portfolio,
        kind=ChangeReport.Kind.DEPARTURE,
        move_out_date=datetime.date(2026, 12, 31),
        reported_by=world.user,
        version_by=world.user,
    )
    plan = RepaymentPlan(report=unpaid, content_type="application/pdf", uploaded_by=world.user)
    plan.file.save("plan", ContentFile(b"%PDF-1.4 plan"), save=False)
    plan.save()
    pay(world.known, "2026-10", "250.00")
    return {
        "year": 2026,
        "month": 10,
        "portfolio_id": world.portfolio.pk,
        "tenancy_id": world.known.pk,
        "submission_id": submission.pk,
        "import_id": bulk.pk,
        "unpaid_id": unpaid.pk,
        "plan_id": plan.pk,
        "change_id": change.pk,
    }


def sweep(client, urls):
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"amount": "650"}).status_code == 404, url


def test_another_landlords_ids_answer_404_everywhere(client, others):
    urls = portfolio_urls(others)
    assert len(urls) >= 33
    assert sum("/paiements/" in url for url in urls) == 5
    assert sum("/plans/" in url for url in urls) == 1  # the repayment plan sent, downloaded back
    me = make_world()
    client.force_login(me.user)
    sweep(client, urls)


def test_my_ids_in_another_of_my_portfolios_urls_answer_404(client, others):
    """A tenancy's or a report's id of portfolio A inside portfolio B's URL is not found either."""
    me = make_world()
    client.force_login(me.user)
    mixed = dict(others, portfolio_id=me.portfolio.pk)
    urls = [
        u for u in portfolio_urls(mixed) if re.search(r"/(locataires|impayes|changements)/\d+/", u)
    ]
    assert len(urls) >= 8
    assert any("/paiements/locataires/" in u for u in urls)
    sweep(client, urls)


def test_a_user_of_a_legal_landlord_sees_only_granted_portfolios(client):
    landlord = LegalLandlordFactory()
    granted = make_world(landlord=landlord, is_landlord_admin=True)
    hidden = make_world(landlord=landlord)
    user = UserFactory(landlord=landlord)
    GrantFactory(user=user, portfolio=granted.portfolio, right=Grant.Right.CONSULT)
    client.force_login(user)
    assert client.get(reverse("rents:tenants", args=[granted.portfolio.pk])).status_code == 200
    assert client.get(reverse("rents:tenants", args=[hidden.portfolio.pk])).status_code == 404


def test_a_declare_grant_lets_a_colleague_record_a_file_of_rents(client):
    """The grant is found again when the portfolio comes from elsewhere than the URL (the file
    of rents, recorded later), not only through portfolio_for_user's annotation."""
    landlord = LegalLandlordFactory()
    world = make_world(landlord=landlord, is_landlord_admin=True)
    colleague = UserFactory(landlord=landlord)
    GrantFactory(user=colleague, portfolio=world.portfolio, right=Grant.Right.DECLARE)
    client.force_login(colleague)
    content = f"numero_allocataire;montant\n{world.known.recipient_number};655,00\n".encode()
    client.post(
        reverse("rents:bulk_new", args=[world.portfolio.pk]),
        {"file": SimpleUploadedFile("loyers.csv", content)},
    )
    bulk = BulkImport.objects.get()
    response = client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    assert response.status_code == 302
    assert JulyRent.objects.get(tenancy=world.known, year=2026).amount == Decimal("655.00")
    assert may_declare(colleague, Portfolio.objects.get(pk=world.portfolio.pk))
    consultant = GrantFactory(
        user=UserFactory(landlord=landlord), portfolio=world.portfolio, right=Grant.Right.CONSULT
    ).user
    assert not may_declare(consultant, Portfolio.objects.get(pk=world.portfolio.pk))
