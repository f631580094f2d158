"""Processing receipts: the queue oldest first, the scan served safely, validate or reject."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portail.audit.models import Event
from portail.correspondence.models import Message
from portail.rents.models import JulyRent, Receipt

from .helpers import PDF, make_receipt, png_bytes

pytestmark = pytest.mark.django_db


def test_the_queue_lists_pending_receipts_oldest_first(agent_client):
    newer = make_receipt(submitted_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC))
    older = make_receipt(submitted_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC))
    done = make_receipt()
    Receipt.objects.filter(pk=done.pk).update(status=Receipt.Status.VALIDATED)
    page = agent_client.get(reverse("backoffice:receipts")).content.decode()
    assert page.index(older.tenancy.tenant_name) < page.index(newer.tenancy.tenant_name)
    assert done.tenancy.tenant_name not in page
    assert "02/11/2026" in page and "640,00" in page


def test_the_scan_is_served_to_staff_only_with_its_type_and_no_sniffing(client, agent_client):
    receipt = make_receipt()
    response = agent_client.get(reverse("backoffice:receipt_file", args=[receipt.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    page = agent_client.get(reverse("backoffice:receipt", args=[receipt.pk])).content.decode()
    assert "<iframe" in page
    image = make_receipt(content=png_bytes(), content_type="image/png")
    page = agent_client.get(reverse("backoffice:receipt", args=[image.pk])).content.decode()
    assert '<img src="/agence/quittances/' in page
    client.logout()
    anonymous = client.get(reverse("backoffice:receipt_file", args=[receipt.pk]))
    assert anonymous.status_code == 302


def test_validating_at_a_corrected_amount_records_it_and_emails_the_landlord(agent_client):
    receipt = make_receipt(email="bailleur@example.fr")
    url = reverse("backoffice:receipt", args=[receipt.pk])
    page = agent_client.post(url, {"decision": "validate", "amount": "1.234"}).content.decode()
    assert "Nous ne savons pas si vous voulez dire 1\u202f234\u00a0€ ou 1,23\u00a0€" in page
    response = agent_client.post(url, {"decision": "validate", "amount": "650,50"})
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert (receipt.status, receipt.amount) == (Receipt.Status.VALIDATED, Decimal("650.50"))
    rent = JulyRent.objects.get(tenancy=receipt.tenancy, year=2025)
    assert rent.amount == Decimal("650.50")
    assert Message.objects.get(kind="receipt_validated").channel == "email"
    event = Event.objects.get(action="staff.receipt_validated")
    assert (event.details["declared_amount"], event.details["amount"]) == ("640.00", "650.50")


def test_rejecting_needs_a_reason_from_the_list_and_tells_the_landlord(agent_client):
    receipt = make_receipt(email="bailleur@example.fr")
    url = reverse("backoffice:receipt", args=[receipt.pk])
    page = agent_client.post(url, {"decision": "reject", "reason_code": ""}).content.decode()
    assert "Choisissez le motif du refus." in page
    agent_client.post(
        url, {"decision": "reject", "reason_code": "wrong_month", "details": "C'est juin."}
    )
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.REJECTED
    assert (
        "juillet demandé" in receipt.rejection_reason and "C'est juin." in receipt.rejection_reason
    )
    notices = Message.objects.filter(recipient=receipt.submitted_by, kind__contains="reject")
    assert notices.count() == 1
    assert not JulyRent.objects.filter(tenancy=receipt.tenancy).exists()
