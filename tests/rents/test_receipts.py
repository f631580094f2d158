"""Difficulty 9: the July 2025 receipt, sent online, validated by staff, then July 2026 opens."""

import io
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from portail.correspondence.models import Message
from portail.portfolios.selectors import portfolio_for_user
from portail.rents import receipts as rent_receipts
from portail.rents import rules
from portail.rents.models import JulyRent, Receipt
from portail.rents.tenant_list import tenancy_for_portfolio
from tests.factories import UserFactory

from .helpers import make_world

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


def receipt_url(world, tenancy):
    return reverse(
        "rents:receipt", kwargs={"portfolio_id": world.portfolio.pk, "tenancy_id": tenancy.pk}
    )


def test_a_photo_of_the_receipt_is_kept_pending_and_the_list_says_so(client):
    world = make_world()
    client.force_login(world.user)
    upload = SimpleUploadedFile("quittance.png", png_bytes(), content_type="image/png")
    response = client.post(receipt_url(world, world.missing), {"amount": "640,00", "file": upload})
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert (receipt.year, receipt.amount, receipt.status, receipt.content_type) == (
        2025,
        Decimal("640.00"),
        Receipt.Status.PENDING,
        "image/png",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Quittance en cours de vérification (juillet 2025)" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("quittance.pdf", b"Ceci n'est pas un PDF", "ni un PDF"),
        ("quittance.exe", b"MZ\x90\x00" + b"\x00" * 100, "ni un PDF"),
        ("grande.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "10 Mo"),
    ],
)
def test_a_file_that_is_not_a_small_pdf_jpeg_or_png_is_refused(client, name, content, message):
    world = make_world()
    client.force_login(world.user)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    page = client.post(
        receipt_url(world, world.missing), {"amount": "640,00", "file": upload}
    ).content.decode()
    assert message in page
    assert 'value="640,00"' in page
    assert "#difficulte-9" in page
    assert not Receipt.objects.exists()


def run_admin_action(action: str, receipt, staff):
    """The receipt admin's action as an agent runs it from the list (the site adds 2FA)."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from portail.rents.admin import ReceiptAdmin

    request = RequestFactory().post("/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = ReceiptAdmin(Receipt, site)
    getattr(model_admin, action)(request, Receipt.objects.filter(pk=receipt.pk))


def test_validation_records_the_rent_emails_the_landlord_and_opens_july_2026(admin_user):
    world = make_world(email="bailleur@example.fr")
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)
    upload = SimpleUploadedFile("q.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    receipt = rent_receipts.submit_receipt(
        user=world.user,
        portfolio=portfolio,
        tenancy=world.missing,
        amount=Decimal("640.00"),
        upload=upload,
    )
    run_admin_action("validate", receipt, admin_user)
    rent = JulyRent.objects.get(tenancy=world.missing, year=2025)
    assert (rent.amount, rent.source) == (Decimal("640.00"), JulyRent.Source.RECEIPT)
    message = Message.objects.get(kind="receipt_validated")
    assert message.recipient == world.user
    assert message.channel == "email"
    assert "juillet 2026" in message.subject
    tenancy = tenancy_for_portfolio(portfolio, world.missing.pk, year=2026)
    assert tenancy.status == rules.Status.TO_DECLARE


def test_a_rejected_receipt_lets_the_landlord_send_another(admin_user):
    world = make_world()
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)

    def send():
        upload = SimpleUploadedFile("q.png", png_bytes(), content_type="image/png")
        return rent_receipts.submit_receipt(
            user=world.user,
            portfolio=portfolio,
            tenancy=world.missing,
            amount=Decimal("640.00"),
            upload=upload,
        )

    receipt = send()
    with pytest.raises(rent_receipts.DeclarationRefused, match="déjà en cours"):
        send()
    run_admin_action("reject", receipt, admin_user)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.REJECTED
    assert not JulyRent.objects.filter(tenancy=world.missing, year=2025).exists()
    send()


def test_another_landlord_cannot_send_a_receipt_for_my_tenant(client):
    world = make_world()
    other = UserFactory()
    client.force_login(other)
    upload = SimpleUploadedFile("q.png", png_bytes(), content_type="image/png")
    response = client.post(receipt_url(world, world.missing), {"amount": "1", "file": upload})
    assert response.status_code == 404


def test_no_receipt_is_taken_where_july_2025_is_known_or_not_needed():
    world = make_world()
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)
    for tenancy in (world.known, world.newcomer):
        upload = SimpleUploadedFile("q.png", png_bytes(), content_type="image/png")
        with pytest.raises(rent_receipts.DeclarationRefused, match="aucune quittance"):
            rent_receipts.submit_receipt(
                user=world.user,
                portfolio=portfolio,
                tenancy=tenancy,
                amount=Decimal("640.00"),
                upload=upload,
            )
    assert not Receipt.objects.exists()


def test_the_admin_links_the_receipt_file_to_the_back_office_not_to_a_public_url():
    from portail.rents.admin import ReceiptAdmin

    world = make_world()
    receipt = rent_receipts.submit_receipt(
        user=world.user,
        portfolio=portfolio_for_user(world.user, world.portfolio.pk),
        tenancy=world.missing,
        amount=Decimal("640.00"),
        upload=SimpleUploadedFile("q.png", png_bytes(), content_type="image/png"),
    )
    link = ReceiptAdmin(Receipt, site).file_link(receipt)
    assert reverse("backoffice:receipt_file", args=[receipt.pk]) in link
