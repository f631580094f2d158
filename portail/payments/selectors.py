"""Reads of direct payments: a portfolio's months with their totals, one month's payments page
by page (searched by tenant name or recipient number), a tenancy's own payments.

The month's page reads its 50 ids on the ``payment_month_order`` index (portfolio, month,
recipient number) with LIMIT and OFFSET, then joins only those 50 to their tenancies; the
totals are the maintained ``PaymentMonth`` rows, never a SUM over the month."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404

from portail.common.text import is_ascii_digits
from portail.portfolios.models import Portfolio, Tenancy

from .models import Payment, PaymentMonth

# A PDF statement lists every payment of the month on A4 pages: beyond this many lines (about
# 50 pages, WeasyPrint's few seconds) the landlord is sent to the CSV or XLSX export instead.
STATEMENT_MAX_LINES = 2000
# A tenancy's page shows its latest payments: ten years of monthly payments.
TENANCY_MAX_PAYMENTS = 120


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One line of a month's payments, as the page, the exports and the statement show it."""

    reference: str
    recipient_number: str
    tenancy_id: int
    tenant_name: str
    period: datetime.date
    amount: Decimal
    paid_on: datetime.date


@dataclass(frozen=True)
class YearTotal:
    year: int
    months: list[PaymentMonth]

    @property
    def total(self) -> Decimal:
        return sum((month.total for month in self.months), Decimal("0.00"))


def months_of_portfolio(portfolio: Portfolio) -> list[PaymentMonth]:
    """Every month the portfolio received payments for, latest first, with its totals."""
    return list(PaymentMonth.objects.filter(portfolio=portfolio).order_by("-period"))


def years_of(months: list[PaymentMonth]) -> list[YearTotal]:
    """The months grouped by year (latest first), each year with its total."""
    years: dict[int, list[PaymentMonth]] = {}
    for month in months:
        years.setdefault(month.period.year, []).append(month)
    return [YearTotal(year, items) for year, items in years.items()]


def month_payments(portfolio: Portfolio, *, period: datetime.date, search: str = "") -> QuerySet:
    """The month's payments of the portfolio, by recipient number then reference."""
    queryset = Payment.objects.filter(portfolio=portfolio, period=period)
    search = (search or "").strip()
    if search:
        compact = search.replace(" ", "")
        if is_ascii_digits(compact):
            queryset = queryset.filter(_number_prefix(compact))
        else:
            queryset = queryset.filter(tenancy__tenant_name__icontains=search)
    return queryset.order_by("recipient_number", "reference")


def _number_prefix(digits: str) -> Q:
    """Recipient numbers starting with these digits, as a range of the month index (numbers are
    digits only, so they start with "80012" exactly when "80012" <= number < "80013"; a LIKE
    would read the whole month under a collation other than C)."""
    condition = Q(recipient_number__gte=digits)
    stem = digits.rstrip("9")
    if stem:
        condition &= Q(recipient_number__lt=stem[:-1] + str(int(stem[-1]) + 1))
    return condition


def payment_page(
    portfolio: Portfolio,
    *,
    month: PaymentMonth | None,
    search: str,
    number,
    per_page: int,
) -> Page:
    """One page of a month's payments; unsearched, its count is the month's maintained one."""
    if month is None:
        paginator = Paginator(Payment.objects.none(), per_page)
        return paginator.get_page(1)
    ids = month_payments(portfolio, period=month.period, search=search).values_list("pk", flat=True)
    paginator = Paginator(ids, per_page)
    if not (search or "").strip():
        paginator.count = month.payment_count  # a cached property: given, never counted
    page = paginator.get_page(number)
    page.object_list = rows_of(Payment.objects.filter(pk__in=page.object_list))
    return page


_ROW_FIELDS = ("reference", "recipient_number", "tenancy_id", "tenancy__tenant_name", "period")
_ROW_FIELDS += ("amount", "paid_on")


def rows_of(payments: QuerySet, *, chunk_size: int | None = None) -> list[PaymentRow] | object:
    """The payments as rows with their tenant's name, by recipient number then reference: a
    list, or with ``chunk_size`` an iterator reading that many at a time (exports)."""
    values = payments.order_by("recipient_number", "reference").values_list(*_ROW_FIELDS)
    if chunk_size:
        return (PaymentRow(*row) for row in values.iterator(chunk_size=chunk_size))
    return [PaymentRow(*row) for row in values]


def tenancy_of_portfolio(portfolio: Portfolio, tenancy_id: int) -> Tenancy:
    """One tenancy of this portfolio; 404 for any other."""
    try:
        return Tenancy.objects.get(portfolio=portfolio, pk=tenancy_id)
    except Tenancy.DoesNotExist:
        raise Http404("Locataire introuvable") from None


def tenancy_payments(tenancy: Tenancy) -> list[Payment]:
    """The tenancy's latest payments (TENANCY_MAX_PAYMENTS at most), latest month first."""
    return list(
        Payment.objects.filter(tenancy=tenancy).order_by("-period", "-paid_on", "reference")[
            :TENANCY_MAX_PAYMENTS
        ]
    )
