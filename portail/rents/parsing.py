"""Reading a file of rents (CSV with ; or , or XLSX): its lines as text, no database.

Like feed/parsing.py: what a line means (a tenancy of the portfolio, an amount) is checked by
rents/bulk.py with the screen's rules."""

import csv
import io

import filetype


def read_rent_lines(data: bytes) -> list[tuple[int, str, str]]:
    """(line number, recipient number, amount text) of a CSV or XLSX file; header skipped."""
    kind = filetype.guess(data[:2048])
    if kind is not None and kind.extension in ("xlsx", "zip"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        rows = (
            (number, [cell_text(v) for v in values[:2]])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
    else:
        text = data.decode("utf-8-sig", errors="replace")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        rows = enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)
    result = []
    for number, values in rows:
        if len(values) == 2:  # the usual line, read without the general case's lists
            first, second = values[0].strip(), values[1].strip()
            if (first or second) and (number > 1 or first.replace(" ", "").isdigit()):
                result.append((number, first, second))
            continue
        cells = [v.strip() for v in values]
        if not any(cells):
            continue
        if number == 1 and not cells[0].replace(" ", "").isdigit():
            continue  # header line
        if len(cells) < 2:
            cells.append("")
        if len(cells) > 2 and delimiter_split_amount(cells):
            cells = [cells[0], ",".join(cells[1:])]
        result.append((number, cells[0], cells[1]))
    return result


def delimiter_split_amount(cells: list[str]) -> bool:
    """650,50 unquoted in a comma-separated file splits in two cells: 650 and 50."""
    return len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit() and len(cells[2]) <= 2


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)
