"""Files of rents: limits checked on upload before anything is read (finding 3), and files as
spreadsheets really write them (finding 9: CR line endings, Windows-1252, extra columns,
a gzip)."""

import csv
import gzip
import io
import time
import zipfile
import zlib

import pytest
from django.urls import reverse

from portail.rents import parsing
from portail.rents.models import BulkImport

from .helpers import make_world
from .test_bulk import upload

pytestmark = pytest.mark.django_db


def inflating_xlsx(rows: int) -> bytes:
    """A minimal XLSX whose one sheet has ``rows`` lines: small once zipped, huge inflated."""
    row = b'<row><c t="n"><v>1000003</v></c><c t="n"><v>650</v></c></row>'
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + row * rows
        + b"</sheetData></worksheet>"
    )
    files = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _refused_at_once(client, world, content: bytes, name: str, *expected: str) -> None:
    started = time.monotonic()
    response = upload(client, world, content, name=name)
    elapsed = time.monotonic() - started
    assert response.status_code == 200  # the form again, with its error: nothing stored
    page = response.content.decode()
    for text in expected:
        assert text in page
    # on the file field, which the error summary links to
    assert expected[0] in str(response.context["form"].errors["file"])
    assert not BulkImport.objects.exists()
    assert elapsed < 20, f"refused after {elapsed:.1f} s"


def test_a_2_000_000_line_xlsx_under_1_mb_is_refused_in_french_at_once(client):
    world = make_world()
    client.force_login(world.user)
    content = inflating_xlsx(2_000_000)
    assert len(content) < 1024 * 1024
    _refused_at_once(
        client,
        world,
        content,
        "loyers.xlsx",
        "une fois ouvert : la limite est de 50 Mo",
        "Découpez-le en plusieurs fichiers de 100 000 lignes au plus",
    )


def test_a_60_mb_csv_is_refused_in_french_at_once(client):
    world = make_world()
    client.force_login(world.user)
    content = f"{world.known.recipient_number};650,50\n".encode() * 4_200_000
    assert len(content) > 60 * 1024 * 1024
    _refused_at_once(
        client, world, content, "loyers.csv", "pèse 60 Mo : la limite est de 10 Mo", "Découpez-le"
    )


def test_more_than_100_000_lines_is_refused_before_reading(client):
    world = make_world()
    client.force_login(world.user)
    content = b"1;2\n" * 100_001
    _refused_at_once(
        client,
        world,
        content,
        "loyers.csv",
        "compte 100\u202f001 lignes de loyers : la limite est de 100 000",
    )


@pytest.mark.parametrize(
    "header", [b"numero_allocataire;montant\n", b'\xef\xbb\xbf"Num\xc3\xa9ro","Montant"\r\n']
)
def test_the_header_line_is_not_counted_in_the_100_000_lines(header):
    """The screen allows a header line: 100,000 rents under it are within the limit, one
    more is not (the refusal counts the rents, not the header)."""
    rents = b"".join(b"%d;650,50\n" % (1_000_000 + n) for n in range(100_000))
    parsing.check_file_limits(io.BytesIO(header + rents))
    with pytest.raises(parsing.FileRefused, match="compte 100\u202f001 lignes de loyers"):
        parsing.check_file_limits(io.BytesIO(header + rents + b"2000000;650,50\n"))


def test_an_xlsx_inflating_more_than_100_times_its_size_is_refused(client):
    world = make_world()
    client.force_login(world.user)
    content = inflating_xlsx(50_000)  # 3 MB inflated, a few kilobytes zipped
    assert len(content) * 100 < 3_000_000
    _refused_at_once(client, world, content, "loyers.xlsx", "une fois ouvert")


def test_a_gzip_gets_a_clear_refusal_not_zero_lines(client):
    world = make_world()
    client.force_login(world.user)
    content = gzip.compress(f"{world.known.recipient_number};650,50\n".encode())
    _refused_at_once(
        client, world, content, "loyers.csv.gz", "ni un CSV ni un classeur XLSX (un fichier GZ)"
    )


def _deposit(client, world, content: bytes) -> BulkImport:
    response = upload(client, world, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkImport.objects.latest("pk")


def test_cr_only_line_endings_are_read(client):
    world = make_world()
    client.force_login(world.user)
    content = f"numero;montant\r{world.known.recipient_number};655,00\r".encode()
    bulk = _deposit(client, world, content)
    assert (bulk.total_lines, bulk.valid_count, bulk.total_errors) == (1, 1, 0)


def test_a_windows_1252_file_with_a_euro_sign_is_read_and_the_page_says_so(client):
    world = make_world()
    client.force_login(world.user)
    content = f"numéro;montant\r\n{world.known.recipient_number};655,00 €\r\n".encode("cp1252")
    bulk = _deposit(client, world, content)
    assert (bulk.valid_count, bulk.total_errors) == (1, 0)
    page = client.get(reverse("rents:bulk_detail", args=[world.portfolio.pk, bulk.pk]))
    assert "Fichier lu dans l&#x27;encodage Windows-1252 (Excel)." in page.content.decode()


def test_extra_columns_are_reported_not_silently_dropped(client):
    world = make_world()
    client.force_login(world.user)
    content = f"numero;montant;commentaire\n{world.known.recipient_number};655,00;à vérifier\n"
    bulk = _deposit(client, world, content.encode())
    page = client.get(reverse("rents:bulk_detail", args=[world.portfolio.pk, bulk.pk]))
    assert "1 ligne(s) ont plus de 2 colonnes (lignes 2)" in page.content.decode()


def test_errors_are_stored_bounded_and_the_rest_counted(client, settings):
    settings.RENT_BULK_BACKGROUND_LINES = 10_000
    world = make_world()
    client.force_login(world.user)
    content = "".join(f"{9000000 + n};650,00\n" for n in range(1500)).encode()
    bulk = _deposit(client, world, content)
    assert (len(bulk.errors), bulk.total_errors) == (1000, 1500)
    response = client.get(reverse("rents:bulk_errors", args=[world.portfolio.pk, bulk.pk]))
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 1 + 1000 + 1 and rows[-1][2] == "… et 500 autres erreurs."
    page = client.get(reverse("rents:bulk_detail", args=[world.portfolio.pk, bulk.pk]))
    assert "1\u202f500 erreurs" in page.content.decode() or "1 500 erreurs" in page.content.decode()


def test_the_limits_are_checked_without_inflating_the_xlsx():
    """The uncompressed size is read from the zip's directory: no inflating at all."""
    from portail.rents import parsing

    content = inflating_xlsx(2_000_000)
    calls = []
    original = zlib.decompressobj

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    zlib.decompressobj = counting
    try:
        with pytest.raises(parsing.FileRefused):
            parsing.check_file_limits(io.BytesIO(content))
    finally:
        zlib.decompressobj = original
    assert calls == []


def test_a_nul_character_far_into_a_csv_is_refused_and_stores_nothing(client):
    """A NUL past the first kilobytes used to reach the report, which PostgreSQL cannot store."""
    world = make_world()
    client.force_login(world.user)
    padding = f"{world.known.recipient_number};650,50\n" * 2_000  # well past the 8 KiB head
    content = (padding + f"{world.known.recipient_number};6\x0050,50\n").encode()
    _refused_at_once(client, world, content, "loyers.csv", "ni un CSV ni un classeur XLSX.")
