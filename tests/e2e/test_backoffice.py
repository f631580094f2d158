"""The six back-office screens in a real browser, each page checked with axe.

Helpers come from tests/backoffice (staff in each role, receipts, declarations, letters)."""

import datetime

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from portail.common import clock
from portail.correspondence.models import Message
from tests.backoffice.conftest import STAFF_PASSWORD, current_code, make_staff
from tests.backoffice.helpers import declare, make_receipt, png_bytes
from tests.backoffice.test_correspondence import failed_email, spooled_letter
from tests.factories import LegalLandlordFactory, PortfolioFactory, TenancyFactory, UserFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def password_step(page, user):
    page.goto("/agence/connexion/")
    assert_accessible(page)
    page.get_by_label("Identifiant agent").fill(user.identifier)
    page.get_by_label("Mot de passe", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continuer").click()


def staff_sign_in(page, user):
    password_step(page, user)
    expect(page.locator("h1")).to_have_text("Code de vérification")
    page.get_by_label("Code de vérification").fill(current_code(user))
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Rechercher un bailleur")


def test_1_first_sign_in_enrols_the_device_then_the_code_is_asked(page):
    agent = make_staff("agent", device=False)
    password_step(page, agent)
    expect(page.locator("h1")).to_have_text("Enregistrer votre application d'authentification")
    expect(page.get_by_role("img", name="Code QR à scanner")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code de vérification").fill("000000")
    page.get_by_role("button", name="Enregistrer et se connecter").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Ce code ne correspond pas")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=agent)
    page.wait_for_timeout(1100)  # django-otp slows down a retry after a wrong code
    page.get_by_label("Code de vérification").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Enregistrer et se connecter").click()
    expect(page.locator("h1")).to_have_text("Rechercher un bailleur")
    assert_accessible(page)
    # A supervisor with a device: password, then code.
    page.get_by_role("button", name="Se déconnecter").click()
    staff_sign_in(page, make_staff("supervisor"))


def test_2_and_3_find_and_help_a_landlord(page):
    landlord = LegalLandlordFactory(name="SCI Les Tilleuls")
    user = UserFactory(landlord=landlord, email="paul@tilleuls.example", email_confirmed=True)
    staff_sign_in(page, make_staff("agent"))
    page.get_by_label("Rechercher un bailleur").fill("sci les")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status")).to_contain_text("1 bailleur trouvé")
    assert_accessible(page)
    # An exact key (here the user number) leads straight to the landlord.
    page.get_by_label("Rechercher un bailleur").fill(user.user_number)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("h1")).to_have_text("SCI Les Tilleuls")
    expect(page.get_by_role("cell", name="Jamais connecté")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Renvoyer l'identifiant de {user.identifier}").click()
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Indiquez le motif")
    assert_accessible(page)
    page.get_by_label("Motif").fill("Appel du bailleur, identité vérifiée")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("status").first).to_contain_text("L'identifiant sera renvoyé par mail")
    expect(page.get_by_role("cell", name="Appel du bailleur, identité vérifiée")).to_be_visible()
    assert_accessible(page)


def test_4_process_a_receipt(page):
    scan = make_receipt(content=png_bytes(), content_type="image/png", email="b@example.fr")
    pdf = make_receipt(email="bailleur@example.fr")
    staff_sign_in(page, make_staff("agent"))
    page.get_by_role("link", name="Quittances").click()
    expect(page.locator("h1")).to_have_text("Quittances à vérifier")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=scan.tenancy.tenant_name)
    row.get_by_role("link").click()
    expect(page.get_by_role("img", name="Quittance envoyée par le bailleur")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Montant du loyer lu sur la quittance").fill("650,50")
    page.get_by_role("button", name="Valider la quittance").click()
    expect(page.get_by_role("status").first).to_contain_text("Quittance validée")
    assert_accessible(page)
    assert Message.objects.filter(kind="receipt_validated").exists()
    # A PDF is shown in a frame of the page (checked last: axe inside Chromium's PDF viewer
    # leaves the page unable to submit a form afterwards).
    page.get_by_role("row").filter(has_text=pdf.tenancy.tenant_name).get_by_role("link").click()
    expect(page.locator("iframe")).to_have_attribute(
        "title", "Quittance envoyée par le bailleur (PDF)"
    )
    assert_accessible(page)


def test_5_run_the_campaign(page):
    alice = UserFactory(email="alice@example.fr", landlord__name="Alice ARNAUD")
    tenancies = [TenancyFactory(portfolio=PortfolioFactory(landlord=alice.landlord)) for _ in "ab"]
    declare(tenancies[0], user=alice, when=clock.now() - datetime.timedelta(days=2))
    staff_sign_in(page, make_staff("supervisor"))
    page.get_by_role("link", name="Campagne").click()
    expect(page.locator("h1")).to_contain_text("Campagne loyers de juillet 2026")
    expect(page.get_by_role("img", name="Premières déclarations par jour")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Changer les dates").click()
    page.get_by_label("Clôture").fill("31/01/2027")
    page.get_by_role("button", name="Enregistrer les dates").click()
    expect(page.get_by_text("au 31/01/2027")).to_be_visible()
    page.get_by_role("button", name="Relancer ces bailleurs par mail").click()
    expect(page.get_by_role("status").first).to_contain_text("1 relance(s)")
    assert_accessible(page)
    page.get_by_role("button", name="Relancer ces bailleurs par mail").click()
    expect(page.get_by_role("status").first).to_contain_text("1 bailleur(s) déjà relancé(s)")
    assert Message.objects.filter(kind="campaign_reminder").count() == 1


def test_6_watch_correspondence(page):
    user = UserFactory()
    failed_email(user)
    spooled_letter(user)
    staff_sign_in(page, make_staff("supervisor"))
    page.get_by_role("link", name="Envois").click()
    expect(
        page.get_by_role("cell", name="SMTPRecipientsRefused: 550 boîte inconnue (9 essais)")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Renvoyer").click()
    expect(page.get_by_role("status").first).to_contain_text("remis en file d'envoi")
    page.get_by_role("button", name="Préparer le lot du jour").click()
    expect(page.get_by_role("status").first).to_contain_text("Lot prêt : 1 courrier(s)")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger lot-").click()
    assert download.value.suggested_filename.startswith("lot-")
