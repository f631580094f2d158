"""The "Paiements" page of a portfolio, its exports, its monthly PDF statement and a
tenancy's own payments, as a landlord (and a consult-only colleague) sees them."""

import csv
import datetime
import io
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from portail.portfolios.models import Grant
from tests.factories import GrantFactory, LegalLandlordFactory, TenancyFactory, UserFactory
from tests.rents.helpers import make_world

from .helpers import pay

pytestmark = pytest.mark.django_db


def url(world, name="payments:payments", **query):
    base = reverse(name, args=[world.portfolio.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def world():
    world = make_world()
    pay(world.known, "2026-09", "250.00")
    pay(world.known, "2026-10", "250.00")
    pay(world.missing, "2026-10", "1234.56")
    return world


def test_the_latest_month_with_its_total_and_the_months_before(client, world):
    client.force_login(world.user)
    page = client.get(url(world)).content.decode()
    assert "Octobre 2026" in page
    assert "Total versé pour octobre 2026 : <strong>1\u202f484,56\xa0€</strong>, 2 paiements" in (
        page
    )
    assert "Alice ARNAUD" in page and "Bruno BLANC" in page and "1\u202f234,56\xa0€" in page
    assert "05/11/2026" in page  # paid on, as tables show dates
    # Month by month: September with its one payment, the year's total.
    assert "septembre 2026" in page and "Année 2026 : 1\u202f734,56\xa0€" in page
    september = client.get(url(world, mois="2026-09")).content.decode()
    assert "Total versé pour septembre 2026 : <strong>250,00\xa0€</strong>, 1 paiement." in (
        september
    )
    assert "Bruno BLANC" not in september


def test_search_by_name_or_number_and_a_wrong_month_is_ignored(client, world):
    client.force_login(world.user)
    by_name = client.get(url(world, mois="2026-10", q="bruno")).content.decode()
    assert "1 paiement correspond à votre recherche" in by_name
    assert "Bruno BLANC" in by_name and "Alice ARNAUD" not in by_name
    number = world.known.recipient_number
    by_number = client.get(url(world, mois="2026-10", q=number[:-1])).content.decode()
    assert "Alice ARNAUD" in by_number
    assert client.get(url(world, mois="2026-99")).status_code == 200  # the latest month instead


def test_pages_of_fifty_in_the_order_of_recipient_numbers(client, world):
    for n in range(120):
        tenancy = TenancyFactory(portfolio=world.portfolio, recipient_number=f"77{n:05d}")
        pay(tenancy, "2026-10", "100.00")
    client.force_login(world.user)
    page = client.get(url(world, mois="2026-10", page=3)).content.decode()
    # 122 payments by recipient number: page 3 holds the 101st to the 122nd.
    assert "Page 3 sur 3" in page and "122 paiements" in page
    assert "7700097" not in page and "7700098" in page and "7700119" in page


def test_exports_in_csv_and_xlsx_follow_the_month_and_the_search(client, world):
    world.missing.tenant_name = "=HYPERLINK(1)"
    world.missing.save()
    client.force_login(world.user)
    response = client.get(url(world, "payments:export_csv", mois="2026-10"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Mois",
        "Numéro allocataire",
        "Locataire",
        "Montant",
        "Versé le",
        "Référence",
    ]
    assert ["10/2026", world.missing.recipient_number, "'=HYPERLINK(1)", "1234,56"] == rows[2][:4]
    assert len(rows) == 3
    response = client.get(url(world, "payments:export_xlsx", mois="2026-10", q="arnaud"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][2] == "Alice ARNAUD" and float(values[1][3]) == 250
    response = client.get(url(world, "payments:export_xlsx", mois="2026-10"))
    cell = load_workbook(io.BytesIO(response.content)).active["C3"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"  # text, not a formula


def test_the_monthly_statement_is_a_pdf_in_french(client, world):
    client.force_login(world.user)
    response = client.get(reverse("payments:statement_pdf", args=[world.portfolio.pk, 2026, 10]))
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Relevé des paiements directs – octobre 2026" in text
    assert "Bruno BLANC" in text and "1 234,56 €" in text.replace("\u202f", " ")
    assert "1 484,56 €" in text.replace("\u202f", " ")
    assert "27 novembre 2026" in text  # issued on, in a sentence
    assert world.user.landlord.name in text
    missing = reverse("payments:statement_pdf", args=[world.portfolio.pk, 2026, 3])
    assert client.get(missing).status_code == 404


def test_a_tenancy_page_shows_its_own_payments(client, world):
    client.force_login(world.user)
    tenancy_url = reverse("payments:tenancy", args=[world.portfolio.pk, world.known.pk])
    page = client.get(tenancy_url).content.decode()
    assert "Paiements pour Alice ARNAUD" in page
    assert page.index("octobre 2026") < page.index("septembre 2026")
    assert "Bruno BLANC" not in page
    declare = reverse("rents:declare", args=[world.portfolio.pk, world.known.pk])
    assert tenancy_url in client.get(declare).content.decode()


def test_linked_from_the_tenant_list_and_mes_parcs(client, world):
    from tests.factories import PortfolioFactory

    PortfolioFactory(landlord=world.user.landlord)
    client.force_login(world.user)
    tenants = client.get(reverse("rents:tenants", args=[world.portfolio.pk])).content.decode()
    assert f'href="{url(world)}"' in tenants
    assert f'href="{url(world)}"' in client.get(reverse("portfolios:home")).content.decode()


def test_a_consult_only_colleague_reads_the_payments(client):
    landlord = LegalLandlordFactory()
    world = make_world(landlord=landlord, is_landlord_admin=True)
    pay(world.known, "2026-10", "250.00")
    colleague = UserFactory(landlord=landlord)
    GrantFactory(user=colleague, portfolio=world.portfolio, right=Grant.Right.CONSULT)
    client.force_login(colleague)
    assert "Alice ARNAUD" in client.get(url(world)).content.decode()
    hidden = make_world(landlord=landlord)
    assert client.get(url(hidden)).status_code == 404


def test_a_portfolio_without_payments_says_so(client):
    world = make_world()
    client.force_login(world.user)
    page = client.get(url(world)).content.decode()
    assert "aucune aide" in page
    assert client.get(url(world, "payments:export_csv")).status_code == 200


@pytest.mark.parametrize("payments", [1, 60])
def test_the_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries, payments):
    world = make_world()
    for _ in range(payments):
        tenancy = TenancyFactory(portfolio=world.portfolio)
        pay(tenancy, "2026-10", "100.00", paid_on=datetime.date(2026, 11, 5))
    client.force_login(world.user)
    client.get(url(world))
    # session, user with its landlord; the user's portfolios (check and header); the months
    # with their totals; the page's 50 payments with their tenants (ids on the month index
    # as a subquery). A search adds its COUNT.
    with django_assert_num_queries(5):
        assert client.get(url(world, page=2 if payments > 50 else 1)).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(url(world, q="a")).status_code == 200


def test_a_month_too_long_for_a_pdf_sends_to_the_exports(client, world, monkeypatch):
    from portail.payments import selectors

    monkeypatch.setattr(selectors, "STATEMENT_MAX_LINES", 1)
    client.force_login(world.user)
    assert "relevé du mois (PDF)" not in client.get(url(world)).content.decode()
    response = client.get(reverse("payments:statement_pdf", args=[world.portfolio.pk, 2026, 10]))
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Relevé PDF trop long : octobre 2026" in page and "CSV ou en Excel" in page
    assert "relevé du mois (PDF)" in client.get(url(world, mois="2026-09")).content.decode()


@pytest.mark.parametrize(
    ("typed", "found"),
    [("7700", 3), ("77001", 2), ("770019", 1), ("7700199", 1), ("99", 0), ("7700200", 0)],
)
def test_a_number_search_finds_the_numbers_that_start_with_it(client, typed, found):
    world = make_world()
    for number in ("7700099", "7700199", "7700100", "7710000"):
        pay(TenancyFactory(portfolio=world.portfolio, recipient_number=number), "2026-10", "1.00")
    client.force_login(world.user)
    page = client.get(url(world, q=typed)).content.decode()
    assert f"{found} paiement{'s' if found > 1 else ''} correspond" in page
