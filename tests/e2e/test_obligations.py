"""Unpaid rents and departures in a real browser, as a landlord, a consult-only colleague and
an agent; axe on every page."""

import datetime
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portail.audit.models import Event
from portail.correspondence.models import Message
from portail.obligations import services
from portail.obligations.models import ChangeReport, RepaymentPlan, UnpaidRentReport
from portail.portfolios.models import Grant
from tests.backoffice.conftest import make_staff
from tests.backoffice.helpers import png_bytes
from tests.factories import PASSWORD, GrantFactory, LegalLandlordFactory, UserFactory
from tests.obligations.conftest import make_landlord
from tests.obligations.test_staff import _portfolio, unpaid_report
from tests.rents.conftest import _campaign_day  # noqa: F401 - 27/11/2026

from .conftest import assert_accessible, sign_in
from .test_backoffice import staff_sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_landlord_reports_an_unpaid_rent_checked_live_then_a_departure(page):
    world = make_landlord(email="bailleur@example.fr")
    sign_in(page, world.user.identifier, PASSWORD)
    expect(page.locator("h1")).to_contain_text("Liste de vos locataires")
    page.get_by_role("link", name="Signaler un impayé").click()
    expect(page.locator("h1")).to_contain_text("Impayés de loyer")
    assert_accessible(page)
    page.get_by_label("Numéro allocataire du locataire").fill(world.direct.recipient_number)
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("h1")).to_have_text("Signaler un impayé de loyer de Alice ARNAUD")
    assert_accessible(page)
    # Live: the rule in force appears as the landlord types, before any button.
    page.get_by_label("Premier mois impayé").fill("10/2026")
    page.get_by_label("Loyer mensuel (hors charges)").fill("280")
    page.get_by_label("Charges mensuelles").fill("20")
    page.get_by_label("Aide au logement versée chaque mois au bailleur").fill("50")
    page.get_by_label("Dette du locataire à ce jour").fill("250")
    page.get_by_label("Oui").check()
    live = page.locator("#unpaid-assessment")
    expect(live).to_contain_text("Pas encore d'impayé à signaler")
    page.get_by_label("Dette du locataire à ce jour").fill("500")
    page.get_by_label("Non").check()
    expect(live).to_contain_text("Impayé à signaler")
    expect(live).to_contain_text("au plus tard le 1er janvier 2027")
    assert_accessible(page)
    page.get_by_role("button", name="Signaler l'impayé").click()
    expect(page.locator("h1")).to_contain_text("Impayé n°")
    expect(page.locator(".notice-success")).to_contain_text("Accusé de réception")
    assert_accessible(page)
    # An error on the paid-off date is summarised and tied to its field.
    page.get_by_role("button", name="Déclarer la dette soldée").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Indiquez la date")
    assert_accessible(page)
    page.get_by_role("link", name="Retour à la page de Alice ARNAUD").click()
    expect(page.locator("main")).to_contain_text("Impayé signalé le 27/11/2026")
    assert_accessible(page)
    page.get_by_role("link", name="Retour à la liste de vos locataires").click()
    row = page.locator("tbody tr", has_text="Alice ARNAUD")
    expect(row).to_contain_text("Impayé signalé le 27/11/2026 (reçu)")
    assert_accessible(page)
    row.get_by_role("link", name="Alice ARNAUD", exact=True).click()
    expect(page.locator("h1")).to_have_text("Alice ARNAUD")
    page.get_by_role("link", name="Déclarer le départ du locataire").click()
    expect(page.locator("main")).to_contain_text("à rembourser à la Caf")
    assert_accessible(page)
    page.get_by_label("Date de départ du locataire").fill("31/12/2026")
    page.get_by_role("button", name="Déclarer").click()
    expect(page.locator("main")).to_contain_text("déclaré, en attente de la Caf")
    expect(page.locator("main")).to_contain_text("L'aide au logement de décembre 2026")
    assert_accessible(page)
    page.get_by_role("link", name="Corriger ce changement").click()
    page.get_by_label("Date de départ du locataire").fill("15/12/2026")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.get_by_role("table", name="Versions précédentes")).to_contain_text("31/12/2026")
    assert_accessible(page)
    page.get_by_role("link", name="Retour à la page de Alice ARNAUD").click()
    page.get_by_role("link", name="Retour à la liste de vos locataires").click()
    expect(page.locator("tbody tr", has_text="Alice ARNAUD")).to_contain_text(
        "Fin déclarée le 15/12/2026, en attente de la Caf"
    )
    assert_accessible(page)
    assert UnpaidRentReport.objects.get().tenancy_id == world.direct.pk
    assert str(ChangeReport.objects.get().move_out_date) == "2026-12-15"


def test_a_consult_only_colleague_sees_the_report_but_no_way_to_report(page):
    company = LegalLandlordFactory(name="SCI Les Cèdres")
    world = make_landlord(landlord=company, is_landlord_admin=True)
    colleague = UserFactory(landlord=company)
    GrantFactory(user=colleague, portfolio=world.portfolio, right=Grant.Right.CONSULT)
    sign_in(page, colleague.identifier, PASSWORD)
    page.goto(f"/parcs/{world.portfolio.pk}/locataires/{world.direct.pk}/")
    expect(page.locator("h1")).to_have_text("Alice ARNAUD")
    expect(page.locator("main")).to_contain_text("Vous pouvez consulter ce parc")
    expect(page.get_by_role("link", name=re.compile("Signaler un impayé"))).to_have_count(0)
    assert_accessible(page)
    response = page.goto(f"/parcs/{world.portfolio.pk}/locataires/{world.direct.pk}/impaye/")
    assert response.status == 403


def test_landlord_sends_the_repayment_plan_and_downloads_it_back(page, tmp_path):
    world = make_landlord(email="bailleur@example.fr")
    report = unpaid_report(world)
    scan = tmp_path / "plan-signe.png"
    scan.write_bytes(png_bytes())
    sign_in(page, world.user.identifier, PASSWORD)
    page.goto(f"/parcs/{world.portfolio.pk}/impayes/{report.pk}/")
    expect(page.locator("h1")).to_contain_text(f"Impayé n° {report.pk}")
    page.get_by_label("Plan d'apurement signé (scan ou photo)").set_input_files(scan)
    page.get_by_role("button", name="Envoyer le plan").click()
    expect(page.get_by_role("status").first).to_contain_text("Plan d'apurement reçu")
    link = page.get_by_role("link", name="Télécharger le plan envoyé le 27/11/2026")
    expect(link).to_have_count(1)
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    plan = RepaymentPlan.objects.get()
    assert download.value.suggested_filename == f"plan-apurement-{report.pk}-{plan.pk}.png"
    assert Path(download.value.path()).read_bytes() == scan.read_bytes()
    assert Event.objects.filter(action="repayment_plan_downloaded", actor=world.user).count() == 1


def test_agent_moves_a_report_with_a_reason_and_handles_a_departure(page):
    world = make_landlord(email="bailleur@example.fr")
    report = unpaid_report(world)
    change = services.report_change(
        user=world.user,
        portfolio=_portfolio(world),
        tenancy_id=world.other.pk,
        content={"kind": "departure", "move_out_date": datetime.date(2026, 12, 31)},
        token=uuid.uuid4(),
    )
    staff_sign_in(page, make_staff("agent"))
    page.get_by_role("link", name="Impayés").click()
    expect(page.locator("h1")).to_have_text("Impayés signalés")
    assert_accessible(page)
    page.get_by_role("link", name=f"impayé n° {report.pk}").click()
    expect(page.locator("h1")).to_contain_text(f"Impayé n° {report.pk}")
    assert_accessible(page)
    page.get_by_label("En cours d'examen").check()
    page.get_by_role("button", name="Enregistrer et prévenir le bailleur").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Indiquez le motif")
    assert_accessible(page)
    page.get_by_label("Motif", exact=True).fill("Dossier pris en charge par le service.")
    page.get_by_role("button", name="Enregistrer et prévenir le bailleur").click()
    expect(page.get_by_role("status").first).to_contain_text("le bailleur est prévenu")
    assert_accessible(page)
    assert Message.objects.filter(kind="unpaid_rent_status", channel="email").count() == 1
    page.get_by_role("link", name="Changements").click()
    expect(page.locator("h1")).to_have_text("Changements déclarés")
    assert_accessible(page)
    page.get_by_role("link", name=f"changement n° {change.pk}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Marquer comme traité").click()
    expect(page.locator("main")).to_contain_text("Traité le")
    assert_accessible(page)
