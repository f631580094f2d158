"""Reporting an unpaid rent as a landlord: the check of the rule in force (with and without
JavaScript), the report, its acknowledgement and PDF, the plan, the debt paid off, rights."""

import html
import subprocess
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portail.audit.models import Event
from portail.obligations.models import RepaymentPlan, UnpaidRentEvent, UnpaidRentReport
from portail.portfolios.models import Grant
from tests.backoffice.helpers import png_bytes
from tests.factories import GrantFactory, LegalLandlordFactory, UserFactory

from .conftest import WORKED_EXAMPLE, make_landlord

pytestmark = pytest.mark.django_db


def new_url(world, tenancy=None):
    tenancy = tenancy or world.direct
    return reverse("obligations:unpaid_new", args=[world.portfolio.pk, tenancy.pk])


def report(client, world, **changes):
    data = {**WORKED_EXAMPLE, **changes, "action": "envoyer", "token": str(uuid.uuid4())}
    return client.post(new_url(world), data)


def test_verify_says_reportable_since_when_and_the_deadline_without_javascript(client, landlord):
    client.force_login(landlord.user)
    page = client.get(new_url(landlord)).content.decode()
    assert "Aide au logement versée chaque mois au bailleur" in page
    assert 'inputmode="decimal"' in page
    page = client.post(new_url(landlord), {**WORKED_EXAMPLE, "action": "verifier"})
    text = page.content.decode()
    assert "Impayé à signaler" in text
    # 250 € a month since October: 500 € reached on 1 November, to report by 1 January.
    assert "1er novembre 2026" in text and "1er janvier 2027" in text
    assert "500,00" in text
    assert not UnpaidRentReport.objects.exists()


def test_the_live_check_answers_a_fragment_as_the_landlord_types(client, landlord):
    client.force_login(landlord.user)
    url = reverse("obligations:unpaid_check", args=[landlord.portfolio.pk, landlord.direct.pk])
    partial = client.get(url, {"first_unpaid_month": "10/2026"}).content.decode()
    assert "la règle applicable s'affichera ici" in partial
    assert "<html" not in partial
    full = client.get(url, {**WORKED_EXAMPLE, "amount_owed": "250"}).content.decode()
    assert "Pas encore d'impayé à signaler" in full
    # Without direct payment the threshold is 600 €, and the aid field is not asked.
    other = reverse("obligations:unpaid_check", args=[landlord.portfolio.pk, landlord.other.pk])
    text = client.get(other, {**WORKED_EXAMPLE, "amount_owed": "600"}).content.decode()
    assert "600,00" in text and "Impayé à signaler" in text


def test_report_acknowledgement_and_pdf(client, landlord):
    client.force_login(landlord.user)
    response = report(client, landlord)
    saved = UnpaidRentReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "obligations:unpaid_report", args=[landlord.portfolio.pk, saved.pk]
    )
    assert (saved.threshold, str(saved.threshold_reached_on)) == (500, "2026-11-01")
    assert saved.status == "received" and saved.version == 1
    page = client.get(response["Location"]).content.decode()
    assert "Accusé de réception" in page and "reçu" in page
    pdf = client.get(
        reverse("obligations:unpaid_report_pdf", args=[landlord.portfolio.pk, saved.pk])
    )
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert f"impayé de loyer n° {saved.pk}" in text and "Alice ARNAUD" in text
    assert "500,00" in text and "01/01/2027" in text
    assert Event.objects.filter(action="unpaid_rent_reported").count() == 1
    tenancy_page = client.get(
        reverse("obligations:tenancy", args=[landlord.portfolio.pk, landlord.direct.pk])
    ).content.decode()
    assert "Impayé signalé le 27/11/2026" in tenancy_page


def test_a_debt_below_the_threshold_is_refused_with_the_reason_and_nothing_recorded(
    client, landlord
):
    client.force_login(landlord.user)
    page = report(client, landlord, amount_owed="300", tenant_pays_part="oui").content.decode()
    assert "pas encore un impayé à signaler" in page
    assert not UnpaidRentReport.objects.exists()


def test_bad_input_is_explained_and_the_values_kept(client, landlord):
    client.force_login(landlord.user)
    page = report(
        client, landlord, first_unpaid_month="13/2026", monthly_rent="1.234", aid="400"
    ).content.decode()
    assert "Il y a 2 erreurs" in page
    assert "sous la forme 10/2026" in page and "Nous ne savons pas si vous voulez dire" in page
    assert 'value="13/2026"' in page
    assert not UnpaidRentReport.objects.exists()


def test_sending_twice_records_once_and_a_second_report_is_refused(client, landlord):
    client.force_login(landlord.user)
    token = str(uuid.uuid4())
    data = {**WORKED_EXAMPLE, "action": "envoyer", "token": token}
    first = client.post(new_url(landlord), data)
    second = client.post(new_url(landlord), data)
    assert first["Location"] == second["Location"]
    assert UnpaidRentReport.objects.count() == 1
    page = report(client, landlord).content.decode()
    assert "Un impayé est déjà signalé" in page
    assert UnpaidRentReport.objects.count() == 1


def test_plan_upload_checks_type_from_content_and_paid_off(client, landlord):
    client.force_login(landlord.user)
    report(client, landlord)
    saved = UnpaidRentReport.objects.get()
    plan_url = reverse("obligations:unpaid_plan", args=[landlord.portfolio.pk, saved.pk])
    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all")
    page = client.post(plan_url, {"file": fake}).content.decode()
    assert "ni un PDF, ni une image JPEG ou PNG" in page
    assert not RepaymentPlan.objects.exists()
    client.post(plan_url, {"file": SimpleUploadedFile("plan.txt", png_bytes())})
    plan = RepaymentPlan.objects.get()
    assert plan.content_type == "image/png"
    paid_url = reverse("obligations:unpaid_paid_off", args=[landlord.portfolio.pk, saved.pk])
    page = client.post(paid_url, {"paid_off_on": "01/12/2026"}).content.decode()
    assert "doit être passée" in page
    client.post(paid_url, {"paid_off_on": "20/11/2026"})
    saved.refresh_from_db()
    assert str(saved.paid_off_on) == "2026-11-20" and saved.version == 3
    kinds = list(UnpaidRentEvent.objects.values_list("kind", "version"))
    assert kinds == [("reported", 1), ("plan", 2), ("paid_off", 3)]


def test_the_landlord_downloads_back_the_plan_sent_audited_and_as_an_attachment(client, landlord):
    client.force_login(landlord.user)
    report(client, landlord)
    saved = UnpaidRentReport.objects.get()
    pid = landlord.portfolio.pk
    sent = png_bytes()
    client.post(
        reverse("obligations:unpaid_plan", args=[pid, saved.pk]),
        {"file": SimpleUploadedFile("scan.txt", sent)},
    )
    plan = RepaymentPlan.objects.get()
    url = reverse("obligations:unpaid_plan_file", args=[pid, saved.pk, plan.pk])
    page = client.get(reverse("obligations:unpaid_report", args=[pid, saved.pk])).content.decode()
    assert f'href="{url}"' in page and "(image PNG)" in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sent
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="plan-apurement-{saved.pk}-{plan.pk}.png"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = Event.objects.get(action="repayment_plan_downloaded")
    assert event.actor == landlord.user and event.target == landlord.direct.recipient_number
    assert event.details == {"report": saved.pk, "plan": plan.pk}
    # Another report's id with this plan, or this report with another plan id: not found.
    other = make_landlord(email="autre@example.fr")
    client.force_login(other.user)
    assert client.get(url).status_code == 404
    client.force_login(landlord.user)
    for args in ([pid, saved.pk + 1, plan.pk], [pid, saved.pk, plan.pk + 1]):
        assert client.get(reverse("obligations:unpaid_plan_file", args=args)).status_code == 404
    assert Event.objects.filter(action="repayment_plan_downloaded").count() == 1


def test_plan_size_is_bounded(client, landlord, settings):
    from portail.obligations import forms

    client.force_login(landlord.user)
    report(client, landlord)
    saved = UnpaidRentReport.objects.get()
    big = SimpleUploadedFile("plan.png", png_bytes() + b"\0" * (forms.RECEIPT_MAX_BYTES + 1))
    page = client.post(
        reverse("obligations:unpaid_plan", args=[landlord.portfolio.pk, saved.pk]), {"file": big}
    ).content.decode()
    assert "dépasse 10 Mo" in page
    assert not RepaymentPlan.objects.exists()


def test_a_consult_only_colleague_sees_but_cannot_report(client):
    company = LegalLandlordFactory()
    world = make_landlord(landlord=company, is_landlord_admin=True)
    client.force_login(world.user)
    report(client, world)
    saved = UnpaidRentReport.objects.get()
    client.post(
        reverse("obligations:unpaid_plan", args=[world.portfolio.pk, saved.pk]),
        {"file": SimpleUploadedFile("plan.png", png_bytes())},
    )
    plan = RepaymentPlan.objects.get()
    colleague = UserFactory(landlord=company)
    GrantFactory(user=colleague, portfolio=world.portfolio, right=Grant.Right.CONSULT)
    client.force_login(colleague)
    pid = world.portfolio.pk
    for name, args in (
        ("obligations:tenancy", [pid, world.direct.pk]),
        ("obligations:unpaid_reports", [pid]),
        ("obligations:unpaid_report", [pid, saved.pk]),
        ("obligations:unpaid_report_pdf", [pid, saved.pk]),
        ("obligations:unpaid_plan_file", [pid, saved.pk, plan.pk]),
        ("obligations:change_reports", [pid]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    tenancy_page = client.get(reverse("obligations:tenancy", args=[pid, world.direct.pk]))
    assert "Signaler un impayé" not in tenancy_page.content.decode()
    for name, args in (
        ("obligations:unpaid_new", [pid, world.other.pk]),
        ("obligations:unpaid_check", [pid, world.other.pk]),
        ("obligations:unpaid_plan", [pid, saved.pk]),
        ("obligations:unpaid_paid_off", [pid, saved.pk]),
        ("obligations:departure_new", [pid, world.other.pk]),
    ):
        url = reverse(name, args=args)
        assert client.get(url).status_code == 403, name
        assert client.post(url, {**WORKED_EXAMPLE, "action": "envoyer"}).status_code == 403
    assert UnpaidRentReport.objects.count() == 1


def test_the_portfolio_entry_finds_the_tenant_by_recipient_number(client, landlord):
    client.force_login(landlord.user)
    url = reverse("obligations:unpaid_reports", args=[landlord.portfolio.pk])
    page = html.unescape(client.get(url, {"recipient_number": "999"}).content.decode())
    assert "Aucun locataire de ce parc n'a ce numéro" in page
    found = client.get(url, {"recipient_number": f" {landlord.other.recipient_number} "})
    assert found["Location"] == new_url(landlord, landlord.other)


def test_lists_pin_their_query_count(client, landlord, django_assert_num_queries):
    client.force_login(landlord.user)
    report(client, landlord)
    more = make_landlord()
    client.force_login(more.user)
    for tenancy in (more.direct, more.other):
        client.post(
            new_url(more, tenancy),
            {**WORKED_EXAMPLE, "amount_owed": "600", "action": "envoyer"},
        )
    url = reverse("obligations:unpaid_reports", args=[more.portfolio.pk])
    # session, user + landlord, portfolios (header and access), the reports with tenancies
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert page.count("impayé n° ") == 2


def test_a_rule_staff_add_applies_from_its_date(client, landlord):
    """Rules are rows: a later one (here a made-up 300 € threshold from 01/11/2026) is the one
    in force from its date, with no change of code."""
    from portail.obligations.models import UnpaidRentRule

    UnpaidRentRule.objects.create(
        valid_from="2026-11-01",
        kind="amount_or_months",
        amount="300.00",
        missed_months=3,
        report_within_months=1,
        source="Règle d'essai",
    )
    client.force_login(landlord.user)
    url = reverse("obligations:unpaid_check", args=[landlord.portfolio.pk, landlord.other.pk])
    facts = {**WORKED_EXAMPLE, "amount_owed": "301", "tenant_pays_part": "oui"}
    text = html.unescape(client.get(url, facts).content.decode())
    assert "Impayé à signaler" in text and "dépasse 300,00" in text
    # Reached on 1 November 2026 under the new row; 1 month to report.
    assert "1er novembre 2026" in text and "1er décembre 2026" in text
