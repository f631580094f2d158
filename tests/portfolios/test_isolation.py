"""Every portfolio and tenancy URL answers 404 with another landlord's ids (difficulty 11)."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portail.portfolios.models import Grant, Portfolio
from portail.portfolios.selectors import may_declare
from portail.rents.models import BulkImport, JulyRent, RentSubmission
from tests.factories import GrantFactory, LegalLandlordFactory, UserFactory
from tests.rents.helpers import make_world

pytestmark = pytest.mark.django_db


def portfolio_urls(ids: dict) -> list[str]:
    """Every route that takes a portfolio id (portfolios and rents apps), filled with ids."""
    from portail.portfolios import urls as portfolio_routes
    from portail.rents import urls as rent_routes

    urls = []
    for module, prefix in ((portfolio_routes, set()), (rent_routes, {"portfolio_id"})):
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
    return {
        "portfolio_id": world.portfolio.pk,
        "tenancy_id": world.known.pk,
        "submission_id": submission.pk,
        "import_id": bulk.pk,
    }


def sweep(client, urls):
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"amount": "650"}).status_code == 404, url


def test_another_landlords_ids_answer_404_everywhere(client, others):
    urls = portfolio_urls(others)
    assert len(urls) >= 12
    me = make_world()
    client.force_login(me.user)
    sweep(client, urls)


def test_my_ids_in_another_of_my_portfolios_urls_answer_404(client, others):
    """A tenancy id of portfolio A inside portfolio B's URL is not found either."""
    me = make_world()
    client.force_login(me.user)
    mixed = dict(others, portfolio_id=me.portfolio.pk)
    urls = [u for u in portfolio_urls(mixed) if "locataires/" in u and "/loyer/" in u]
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
