"""Receipts and declarations for back-office tests, made directly (no landlord session)."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from portail.rents.models import Receipt
from tests.factories import PortfolioFactory, TenancyFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def make_receipt(
    *, amount="640.00", content=PDF, content_type="application/pdf", submitted_at=None, **user
) -> Receipt:
    landlord_user = UserFactory(**user)
    portfolio = PortfolioFactory(landlord=landlord_user.landlord)
    tenancy = TenancyFactory(portfolio=portfolio, start_date=datetime.date(2020, 1, 1))
    receipt = Receipt(
        tenancy=tenancy,
        year=2025,
        amount=Decimal(amount),
        content_type=content_type,
        submitted_by=landlord_user,
    )
    if submitted_at:
        receipt.submitted_at = submitted_at
    receipt.file.save("quittance", ContentFile(content), save=False)
    receipt.save()
    return receipt


def declare(tenancy, *, user, when, amount="700.00", year=2026):
    """A first declaration of the July N rent of a tenancy, as the landlord's screen makes it."""
    import uuid

    from portail.rents.models import JulyRent, RentSubmission

    submission = RentSubmission.objects.create(
        portfolio=tenancy.portfolio,
        year=year,
        channel=RentSubmission.Channel.ONLINE,
        token=uuid.uuid4(),
        submitted_by=user,
        submitted_at=when,
    )
    JulyRent.objects.create(
        tenancy=tenancy,
        year=year,
        amount=Decimal(amount),
        source=JulyRent.Source.ONLINE,
        recorded_at=when,
        recorded_by=user,
        submission=submission,
        version=1,
    )
