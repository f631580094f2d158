"""A month's payments as CSV (streamed; semicolons, decimal commas and a byte order mark for
French spreadsheets) or XLSX, both through the one safe writer (common.exports: text never
read as a formula, amounts kept as numbers).

Bound: one month of one portfolio, searched as on the page: at most the month's payments
(about one per tenancy); rows are read 2,000 at a time."""

from decimal import Decimal

from django.http import HttpResponse

from portail.common.exports import csv_download, xlsx_download
from portail.common.formats import french_date

from . import selectors

HEADERS = ["Mois", "Numéro allocataire", "Locataire", "Montant", "Versé le", "Référence"]


def _rows(portfolio, month, search):
    if month is None:
        return iter(())
    payments = selectors.month_payments(portfolio, period=month.period, search=search)
    return selectors.rows_of(payments, chunk_size=2000)


def _filename(portfolio, month, extension: str) -> str:
    suffix = f"-{month.period:%Y-%m}" if month is not None else ""
    return f"paiements-{portfolio.pk}{suffix}.{extension}"


def csv_response(portfolio, month, search: str):
    def lines():
        yield HEADERS
        for row in _rows(portfolio, month, search):
            yield [
                f"{row.period:%m/%Y}",
                row.recipient_number,
                row.tenant_name,
                f"{Decimal(row.amount):.2f}".replace(".", ","),
                french_date(row.paid_on),
                row.reference,
            ]

    return csv_download(
        lines(), filename=_filename(portfolio, month, "csv"), delimiter=";", byte_order_mark=True
    )


def xlsx_response(portfolio, month, search: str) -> HttpResponse:
    def lines():
        yield HEADERS
        for row in _rows(portfolio, month, search):
            yield [
                f"{row.period:%m/%Y}",
                row.recipient_number,
                row.tenant_name,
                Decimal(row.amount),
                row.paid_on,
                row.reference,
            ]

    return xlsx_download(lines(), filename=_filename(portfolio, month, "xlsx"), sheet="Paiements")
