"""Spreadsheet downloads: the one writer every CSV and XLSX export of the portal goes through.

Threat (CSV/formula injection, OWASP): text that a tenant, a landlord or the agency's feed
controls (a tenant's name, a recipient number typed in a file) lands in a cell; a spreadsheet
reads a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula,
which can open links (``=HYPERLINK(...)``) or, in old spreadsheets, run commands.

Mechanism:
- CSV: a text cell starting with one of those characters gets a leading apostrophe (OWASP's
  guidance), so the spreadsheet shows it as text; numbers stay numbers (an amount is never
  prefixed, a text that is a plain number neither).
- XLSX: every text cell is written as a string cell, never a formula, whatever it starts with;
  amounts (Decimal, int) and dates are written as numbers and dates.
Test: ``tests/sweeps/test_exports.py`` downloads every export of the portal with hostile
names in it, and checks that no module writes a spreadsheet any other way.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

BYTE_ORDER_MARK = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralised(text: str) -> str:
    """The text as a spreadsheet must show it: an apostrophe before a formula trigger."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value) -> str | int | Decimal:
    """One CSV cell: numbers as they are, text neutralised, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    return neutralised(str(value))


class _Echo:
    """A pseudo-buffer: csv.writer hands back each line instead of storing it."""

    def write(self, value):
        return value


def csv_download(
    rows: Iterable[Sequence],
    *,
    filename: str,
    delimiter: str = ",",
    byte_order_mark: bool = False,
) -> StreamingHttpResponse:
    """A CSV download written line by line as ``rows`` yields them (UTF-8; a byte order mark
    first for French spreadsheets when asked); every cell through ``csv_cell``."""
    writer = csv.writer(_Echo(), delimiter=delimiter)

    def lines():
        if byte_order_mark:
            yield BYTE_ORDER_MARK
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_download(rows: Iterable[Sequence], *, filename: str, sheet: str) -> HttpResponse:
    """An Excel workbook of one sheet (openpyxl's write-only mode: rows are not kept); text in
    string cells, never formulas; numbers and dates as such."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)

    def cell(value):
        if value is None or isinstance(value, int | float | Decimal | datetime.date):
            return value
        written = WriteOnlyCell(worksheet, value=str(value))
        written.data_type = "s"  # openpyxl would make "=..." a formula: a string it stays
        return written

    for row in rows:
        worksheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
