"""Payments written as the feed writes them, for the page's tests."""

import datetime
from decimal import Decimal

from portail.payments.models import Payment
from portail.payments.services import refresh_month_totals


def pay(tenancy, period: str, amount: str, *, reference: str | None = None, paid_on=None):
    year, month = (int(part) for part in period.split("-"))
    first = datetime.date(year, month, 1)
    payment = Payment.objects.create(
        reference=reference or f"V{tenancy.recipient_number}{year}{month:02d}",
        tenancy=tenancy,
        portfolio_id=tenancy.portfolio_id,
        recipient_number=tenancy.recipient_number,
        period=first,
        amount=Decimal(amount),
        paid_on=paid_on or first.replace(day=5) + datetime.timedelta(days=31),
    )
    refresh_month_totals(months=[(tenancy.portfolio_id, first)])
    return payment
