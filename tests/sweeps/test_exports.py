"""Every export of the portal, with hostile names in it: no cell a spreadsheet runs (finding 1).

The exports are found in the URL configuration (every pattern ending in .csv or .xlsx) and
downloaded by every role that may; the world's tenants are named with each formula trigger
(``=``, ``+``, ``-``, ``@``, tab, carriage return) and a file of rents carries a hostile recipient
number in its errors.
"""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from portail.common.exports import FORMULA_TRIGGERS

from .patterns import REPO, path_for, url_patterns
from .traffic import send

pytestmark = pytest.mark.django_db
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
# Writers of files that are not downloads: the demo's feed files (input, never shown).
# Files written for programs, not downloaded by a person: the demo feed, and the declarations
# exported to the agency's main system (a data contract: values stay exactly as declared).
NOT_EXPORTS = {"portail/feed/samples.py", "portail/feed/export.py"}


def _cells(path: str, content: bytes):
    """(cell text or value, is a formula) of every cell of a downloaded CSV or XLSX."""
    if path.endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(content)).active
        for row in sheet.iter_rows():
            for cell in row:
                yield cell.value, cell.data_type == "f"
        return
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for value in row:
            starts_formula = value.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(
                value
            )
            yield value, starts_formula


def test_every_export_neutralises_formulas_and_keeps_amounts_numbers(world):
    exports = [p for p in url_patterns() if p.route.endswith((".csv", ".xlsx"))]
    downloaded, hostile_seen = set(), set()
    for pattern in exports:
        for role in world.roles.values():
            own, _foreign = (
                world.ids_for(pattern.kwarg_names, role) if pattern.kwargs else ([{}], [])
            )
            for ids in own:
                path = path_for(pattern, ids)
                outcome = send(role.client(), "get", path)
                assert outcome.status < 500, (role.name, path, outcome.error)
                if outcome.status != 200:
                    continue
                downloaded.add(pattern.name)
                for value, formula in _cells(path, outcome.content):
                    assert not formula, (role.name, path, value)
                    text = str(value).lstrip("'") if value is not None else ""
                    if text in world.tenant_names or text.startswith("=HYPERLINK"):
                        hostile_seen.add((pattern.name, text))
                    if path.endswith(".xlsx") and isinstance(value, str):
                        assert not value.startswith("'"), "XLSX text is a string cell, unchanged"
    assert downloaded == {p.name for p in exports}, "every export downloaded by some role"
    names = {name for _pattern, name in hostile_seen}
    assert set(world.tenant_names) <= names, "every hostile name reached an export"
    assert {p for p, _ in hostile_seen} >= {
        "rents:export_csv",
        "rents:export_xlsx",
        "rents:bulk_errors",
    }


def test_the_tenant_xlsx_keeps_amounts_as_numbers_and_names_as_text(world):
    from django.urls import reverse

    role = world.roles["landlord"]
    portfolio = role.user.landlord.portfolios.get()
    outcome = send(role.client(), "get", reverse("rents:export_xlsx", args=[portfolio.pk]))
    sheet = load_workbook(io.BytesIO(outcome.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    names = {row[1].value: row[1].data_type for row in rows}
    assert names[world.tenant_names[0]] == "s"
    amounts = [row[3] for row in rows if row[3].value is not None]
    assert amounts and all(cell.data_type == "n" for cell in amounts)


def test_no_module_writes_a_spreadsheet_but_the_safe_writer():
    writers = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(")
    offenders = {
        str(source.relative_to(REPO))
        for source in (REPO / "portail").rglob("*.py")
        if writers.search(source.read_text())
    }
    assert offenders - NOT_EXPORTS == {"portail/common/exports.py"}
