"""Direct payments and the declarations export, in a real browser as a landlord would, axe on
every page."""

import csv
import datetime
import io
import re
import subprocess
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from portail.payments.models import Payment
from tests.rents.conftest import _campaign_day  # noqa: F401 - 27/11/2026, campaign open

from .conftest import assert_accessible, sign_in
from .test_rents import _published_irl, _row  # noqa: F401 - the IRL the declarations need

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_landlord_reads_its_payments_month_by_month_and_downloads_them(page, demo_accounts):
    account = demo_accounts["DEMO-M1"]
    sign_in(page, account.identifier, account.password)
    expect(page.locator("h1")).to_have_text("Mes parcs")
    page.get_by_role("link", name="Paiements du parc Résidence Les Tilleuls").click()
    expect(page.locator("h1")).to_contain_text("Paiements de la Caf")
    expect(page.locator("h2").first).to_have_text("Décembre 2025")
    assert_accessible(page)
    tilleuls = Payment.objects.filter(portfolio__name="Résidence Les Tilleuls")
    december = tilleuls.filter(period=datetime.date(2025, 12, 1))
    total = sum(p.amount for p in december)
    shown = f"{total:,.2f}".replace(",", "\u202f").replace(".", ",") + "\xa0€"
    expect(page.locator("[data-month-total]")).to_contain_text(shown)
    # Another month, then a search by name within it.
    page.get_by_label("Mois").select_option(label="septembre 2025")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h2").first).to_have_text("Septembre 2025")
    one = tilleuls.filter(period=datetime.date(2025, 9, 1)).select_related("tenancy").first()
    page.get_by_label("Rechercher un locataire").fill(one.tenancy.tenant_name)
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("status")).to_contain_text("correspond")
    expect(_row(page, one.tenancy.tenant_name).first).to_contain_text(one.reference)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Mois", "Numéro allocataire", "Locataire"]
    assert [one.recipient_number, one.tenancy.tenant_name] in [r[1:3] for r in rows[1:]]
    with page.expect_download(timeout=60_000) as download:  # WeasyPrint, about 150 lines
        page.get_by_role("link", name="relevé du mois (PDF)").click(timeout=60_000)
    pdf = subprocess.run(
        ["pdftotext", download.value.path(), "-"], capture_output=True, text=True, check=True
    ).stdout
    pdf = " ".join(pdf.split())  # lines wrapped on the page
    assert "Relevé des paiements directs – septembre 2025" in pdf
    assert "SCI Les Tilleuls" in pdf and "27 novembre 2026" in pdf
    # A tenancy's own payments, latest month first.
    _row(page, one.tenancy.tenant_name).first.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(f"Paiements pour {one.tenancy.tenant_name}")
    expect(page.locator("tbody tr").first).to_contain_text("décembre 2025")
    assert_accessible(page)


def test_a_rent_declared_in_the_browser_goes_out_in_the_next_export(page, demo_accounts, tmp_path):
    account = demo_accounts["DEMO-P1"]
    sign_in(page, account.identifier, account.password)
    _row(page, "Anh PETIT").get_by_role("link", name=re.compile("Déclarer")).click()
    page.get_by_label("Loyer de juillet 2026 (hors charges)").fill("650,50")
    page.get_by_role("button", name="Vérifier avant d'envoyer").click()
    page.get_by_role("button", name="Envoyer la déclaration").click()
    expect(page.locator("h1")).to_contain_text("Accusé de réception n°")
    assert_accessible(page)
    number = re.search(r"n° (\d+)", page.locator("h1").inner_text()).group(1)
    with time_machine.travel(datetime.timedelta(minutes=11)):  # past the settling time
        out = StringIO()
        call_command("export_declarations", str(tmp_path), stdout=out)
    assert "july_rents.csv: 1 row(s)" in out.getvalue()
    batch = next(tmp_path.glob("declarations-*"))
    with (batch / "july_rents.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["amount"] == "650.50" and row["version"] == "1" and row["channel"] == "online"
    assert row["submission_id"] == number and row["portfolio_ref"] == "DEMO-P1-A"
