"""Difficulties 9, 10 and 11 played in a real browser as a new landlord would, axe on every page."""

import datetime
import importlib
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from portail.accounts.models import User
from portail.correspondence.models import Message
from portail.portfolios.models import Tenancy
from portail.rents import receipts
from portail.rents.models import BulkImport, JulyRent, Receipt, RentDeclaration
from tests.rents.conftest import _campaign_day  # noqa: F401 - 27/11/2026, campaign open

from .conftest import assert_accessible, sign_in

PUBLISHED = importlib.import_module("portail.rents.migrations.0002_seed_irl").PUBLISHED


@pytest.fixture(autouse=True)
def _published_irl(transactional_db):
    """Browser tests flush the database between tests, migration data included: seed it again."""
    from decimal import Decimal

    from portail.rents.models import IrlQuarter

    for year, quarter, value in PUBLISHED:
        IrlQuarter.objects.get_or_create(
            year=year, quarter=quarter, defaults={"value": Decimal(value)}
        )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _row(page, name):
    return page.locator("tbody tr", has_text=name)


def test_difficulty_10_amount_refused_explained_then_declared_with_acknowledgement(
    page, demo_accounts
):
    account = demo_accounts["DEMO-P1"]
    sign_in(page, account.identifier, account.password)
    expect(page.locator("h1")).to_contain_text("Liste de vos locataires")
    expect(_row(page, "Anh PETIT")).to_contain_text("À déclarer")
    assert_accessible(page)
    _row(page, "Anh PETIT").get_by_role("link", name=re.compile("Déclarer")).click()
    expect(page.locator("h1")).to_have_text("Loyer de juillet 2026 de Anh PETIT")
    amount = page.get_by_label("Loyer de juillet 2026 (hors charges)")
    expect(amount).to_have_attribute("inputmode", "decimal")
    assert_accessible(page)
    amount.fill("1.234")
    page.get_by_role("button", name="Vérifier avant d'envoyer").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Il y a 1 erreur")
    expect(summary).to_contain_text("par exemple 650,50")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Voir le conseil n° 10")).to_be_visible()
    expect(amount).to_have_value("1.234")
    expect(amount).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    amount.fill("650,50 €")
    page.get_by_role("button", name="Vérifier avant d'envoyer").click()
    expect(page.locator("h1")).to_have_text("Vérifiez votre déclaration")
    expect(page.locator("[data-amount]")).to_have_text("650,50\u00a0€")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer la déclaration").dblclick()  # an impatient click
    expect(page.locator("h1")).to_contain_text("Accusé de réception n°")
    expect(page.locator("main")).to_contain_text("27 novembre 2026")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'accusé de réception (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert JulyRent.objects.filter(year=2026, submission__isnull=False).count() == 1
    assert not RentDeclaration.objects.exists()
    page.get_by_role("link", name="Retour à la liste de vos locataires").click()
    expect(_row(page, "Anh PETIT")).to_contain_text("650,50")
    expect(_row(page, "Anh PETIT")).to_contain_text("Déclaré")


def test_difficulty_9_missing_july_2025_receipt_sent_validated_then_july_2026_declared(
    page, demo_accounts
):
    account = demo_accounts["DEMO-P1"]
    sign_in(page, account.identifier, account.password)
    row = _row(page, "Lucas HOARAU")
    expect(row).to_contain_text("Quittance à envoyer (loyer de juillet 2025 inconnu)")
    row.get_by_role("link", name=re.compile("Envoyer la quittance")).click()
    expect(page.locator("main")).to_contain_text("Pourquoi ne puis-je pas déclarer")
    expect(page.locator("main")).to_contain_text("par courrier")
    assert_accessible(page)
    # A text file renamed .pdf is refused, the amount typed is kept.
    page.get_by_label("Loyer de juillet 2025 indiqué sur la quittance").fill("520,00")
    page.get_by_label("Quittance (photo ou scan)").set_input_files(
        files=[{"name": "quittance.pdf", "mimeType": "application/pdf", "buffer": b"texte"}]
    )
    page.get_by_role("button", name="Envoyer la quittance").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("ni un PDF")
    expect(page.get_by_label("Loyer de juillet 2025 indiqué sur la quittance")).to_have_value(
        "520,00"
    )
    assert_accessible(page)
    page.get_by_label("Quittance (photo ou scan)").set_input_files(
        files=[{"name": "quittance.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.get_by_role("button", name="Envoyer la quittance").click()
    expect(page.locator(".notice")).to_contain_text("Quittance de juillet 2025 de Lucas HOARAU")
    expect(_row(page, "Lucas HOARAU")).to_contain_text("en cours de vérification")
    assert_accessible(page)
    # An agent validates it: the rent is known, the landlord is e-mailed.
    agent = User.objects.create_superuser("agent.test", "Agent-mot-de-passe-42")
    receipts.validate_receipt(receipt=Receipt.objects.get(), agent=agent)
    message = Message.objects.get(kind="receipt_validated")
    assert "juillet 2026" in message.subject
    page.reload()
    row = _row(page, "Lucas HOARAU")
    expect(row).to_contain_text("520,00")
    row.get_by_role("link", name=re.compile("Déclarer")).click()
    # 600 € is more than the IRL allows over 520 €: both figures, and a confirmation.
    page.get_by_label("Loyer de juillet 2026 (hors charges)").fill("600")
    page.get_by_role("button", name="Vérifier avant d'envoyer").click()
    expect(page.locator("main")).to_contain_text("520,00\u00a0€")
    expect(page.locator("main")).to_contain_text("525,41\u00a0€")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer la déclaration").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Cochez la case")
    assert_accessible(page)
    page.get_by_label("Je confirme ce montant").check()
    page.get_by_role("button", name="Envoyer la déclaration").click()
    expect(page.locator("h1")).to_contain_text("Accusé de réception n°")
    assert JulyRent.objects.get(tenancy__tenant_name="Lucas HOARAU", year=2026).amount == 600


def test_difficulty_11_two_portfolios_side_by_side_in_two_tabs(page, demo_accounts):
    account = demo_accounts["DEMO-M1"]
    sign_in(page, account.identifier, account.password)
    page.get_by_role("main").get_by_role("link", name="Résidence Les Tilleuls", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Résidence Les Tilleuls")
    other = page.context.new_page()
    other.goto(page.url)
    switcher = other.get_by_role("navigation", name="Changer de parc")
    switcher.get_by_role("link", name="Centre-ville Avignon").click()  # one click
    expect(other.locator("h1")).to_contain_text("Centre-ville Avignon")
    assert_accessible(other)
    # Each tab keeps its portfolio: searching in one does not move the other.
    page.get_by_label("Rechercher un locataire").fill("DA SILVA")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("h1")).to_contain_text("Résidence Les Tilleuls")
    expect(_row(page, "Pierre DA SILVA")).to_be_visible()
    assert_accessible(page)
    other.reload()
    expect(other.locator("h1")).to_contain_text("Centre-ville Avignon")
    expect(other.get_by_text("120 locataires")).to_be_visible()
    other.get_by_label("Statut").select_option("to_declare")
    other.get_by_role("button", name="Rechercher").click()
    expect(other.locator("h1")).to_contain_text("Centre-ville Avignon")
    page.reload()
    expect(page.locator("h1")).to_contain_text("Résidence Les Tilleuls")
    # A bulk file deposited from one tab lands in that tab's portfolio only.
    page.goto(page.url.split("locataires")[0] + "depots/")
    expect(page.locator("h1")).to_contain_text("Déposer un fichier de loyers")
    assert_accessible(page)
    page.get_by_label("Fichier des loyers (CSV ou XLSX)").set_input_files(
        files=[
            {
                "name": "loyers.csv",
                "mimeType": "text/csv",
                "buffer": b"numero;montant\n1000009;700,00\n1000002;600,00\n1000009;abc\n",
            }
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.locator("main")).to_contain_text("3 lignes lues : 1 valide, 2 erreurs")
    expect(page.locator("main")).to_contain_text("n'est pas dans ce parc")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Enregistrer seulement")).click()
    expect(page.locator("h1")).to_contain_text("Accusé de réception n°")
    assert_accessible(page)
    page.get_by_role("link", name="Retour à la liste de vos locataires").click()
    page.get_by_role("link", name="Mes accusés de réception").click()
    expect(page.locator("h1")).to_contain_text("Mes accusés de réception")
    assert_accessible(page)
    # A large file still being checked shows its progress, without JavaScript needed.
    bulk = BulkImport.objects.get()
    BulkImport.objects.filter(pk=bulk.pk).update(
        status=BulkImport.Status.CHECKING, total_lines=4000, processed_lines=1000
    )
    page.goto(page.url.split("accuses")[0] + f"depots/{bulk.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "25")
    assert_accessible(page)
    # Closed meanwhile, the file is found again on the deposit page, with its state.
    page.goto(page.url.split("depots")[0] + "depots/")
    files = page.get_by_role("table", name=re.compile("Fichiers de loyers déposés"))
    expect(files).to_contain_text("Vérification en cours")
    assert_accessible(page)
    files.get_by_role("link", name="loyers.csv").click()
    expect(page.locator("progress")).to_have_attribute("value", "25")
    # A recording refused in the background (campaign closed meanwhile) says why, on the page.
    BulkImport.objects.filter(pk=bulk.pk).update(
        status=BulkImport.Status.CHECKED,
        refusal="La campagne des loyers de juillet 2026 n'est pas ouverte.",
    )
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("Ce fichier n'a pas été enregistré.")
    assert_accessible(page)
    # A tenant who left before July 2026: nothing is asked, and the page says so.
    gone = Tenancy.objects.filter(portfolio__name="Résidence Les Tilleuls").first()
    Tenancy.objects.filter(pk=gone.pk).update(end_date=datetime.date(2026, 6, 30))
    page.goto(page.url.split("depots")[0] + f"locataires/{gone.pk}/loyer/")
    expect(page.locator("main")).to_contain_text("aucun loyer de juillet 2026 ne vous est demandé")
    assert_accessible(page)


def test_tenant_list_pages_walked_by_next_and_previous_links(page, demo_accounts):
    """The list's "Page suivante" and "Page précédente" (cursors) walk the 120 tenants of a
    portfolio, by keyboard and by click, axe on each page."""
    account = demo_accounts["DEMO-M1"]
    sign_in(page, account.identifier, account.password)
    page.get_by_role("main").get_by_role("link", name="Centre-ville Avignon", exact=True).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Page 1 sur 3")
    first_row = page.locator("tbody tr").first.inner_text()
    for number in (2, 3):
        page.get_by_role("link", name="Page suivante").focus()
        page.keyboard.press("Enter")
        expect(main).to_contain_text(f"Page {number} sur 3")
        assert_accessible(page)
    expect(page.get_by_role("link", name="Page suivante")).to_have_count(0)
    for number in (2, 1):
        page.get_by_role("link", name="Page précédente").click()
        expect(main).to_contain_text(f"Page {number} sur 3")
    assert page.locator("tbody tr").first.inner_text() == first_row
    expect(page.get_by_role("link", name="Page précédente")).to_have_count(0)
