"""A month's payments as CSV (streamed; semicolons, decimal commas and a byte order mark for
French spreadsheets) or XLSX (text cells written as text, never as formulas).

Bound: one month of one portfolio, searched as on the page: at most the month's payments
(about one per tenancy); rows are read 2,000 at a time."""

import io
from decimal import Decimal

from django.http import HttpResponse

from portail.common.formats import french_date
from portail.common.http import streaming_csv_response

from . import selectors

HEADERS = ["Mois", "Numéro allocataire", "Locataire", "Montant", "Versé le", "Référence"]
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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

    return streaming_csv_response(
        lines(),
        filename=_filename(portfolio, month, "csv"),
        delimiter=";",
        byte_order_mark=True,
    )


def xlsx_response(portfolio, month, search: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Paiements")

    def text(value: str) -> WriteOnlyCell:
        # A name such as "=1+1" stays text: openpyxl would otherwise store it as a formula.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    def dated(value) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell

    def euros(value) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=Decimal(value))
        cell.number_format = '#,##0.00 "€"'
        return cell

    sheet.append([text(header) for header in HEADERS])
    for row in _rows(portfolio, month, search):
        sheet.append(
            [
                text(f"{row.period:%m/%Y}"),
                text(row.recipient_number),
                text(row.tenant_name),
                euros(row.amount),
                dated(row.paid_on),
                text(row.reference),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=_XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(portfolio, month, "xlsx")}"'
    )
    return response
