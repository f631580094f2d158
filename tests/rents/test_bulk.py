"""Bulk declaration: lines checked like the screen, errors with line numbers, explicit choice."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from portail.rents.models import BulkImport, JulyRent

from .helpers import all_versions, make_world

pytestmark = pytest.mark.django_db


def upload(client, world, content: bytes, name="loyers.csv"):
    return client.post(
        reverse("rents:bulk_new", args=[world.portfolio.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def csv_file(world, *, with_errors: bool) -> bytes:
    lines = [
        "numero_allocataire;montant",
        f"{world.known.recipient_number};655,00",
        f"{world.newcomer.recipient_number};1 234,56 €",
    ]
    if with_errors:
        lines += [
            "9999999;600,00",  # not in this portfolio
            f"{world.missing.recipient_number};600,00",  # July 2025 unknown (difficulty 9)
            f"{world.known.recipient_number};655,00",  # twice
            f"{world.gone.recipient_number};600",  # not a tenant in July 2026
        ]
    return ("\n".join(lines) + "\n").encode()


def test_a_file_with_errors_records_nothing_and_lists_every_error_by_line(client):
    world = make_world()
    client.force_login(world.user)
    response = upload(client, world, csv_file(world, with_errors=True))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "6 lignes lues : 2 valides, 4 erreurs" in page
    assert "Rien n'est encore enregistré" in page
    assert not JulyRent.objects.filter(year=2026).exists()
    bulk = BulkImport.objects.get()
    errors = client.get(reverse("rents:bulk_errors", args=[world.portfolio.pk, bulk.pk]))
    content = b"".join(errors.streaming_content).decode("utf-8-sig")  # streamed
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["4", "5", "6", "7"]
    assert "quittance" in rows[2][2]
    assert "ligne 2" in rows[3][2]
    # Recording needs the explicit choice of the valid lines only.
    record = reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk])
    page = client.post(record, {}).content.decode()
    assert "contient des erreurs" in page
    assert not JulyRent.objects.filter(year=2026).exists()
    response = client.post(record, {"valid_only": "on"})
    assert response.status_code == 302
    assert set(JulyRent.objects.filter(year=2026).values_list("amount", flat=True)) == {
        Decimal("655.00"),
        Decimal("1234.56"),
    }
    assert "2 loyers de juillet 2026" in client.get(response["Location"]).content.decode()


def test_a_clean_xlsx_file_with_numbers_or_text_is_recorded_with_one_acknowledgement(client):
    world = make_world()
    client.force_login(world.user)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["numero_allocataire", "montant"])
    sheet.append([int(world.known.recipient_number), 655.5])
    sheet.append([world.newcomer.recipient_number, "700,00"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, world, buffer.getvalue(), name="loyers.xlsx")
    bulk = BulkImport.objects.get()
    assert (bulk.errors, bulk.valid_count) == ([], 2)
    record = reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk])
    response = client.post(record, {})
    assert response.status_code == 302
    assert len(all_versions()) == 2
    assert JulyRent.objects.get(tenancy=world.known, year=2026).amount == Decimal("655.50")
    client.post(record, {})  # twice: still one submission
    assert len(all_versions()) == 2


def test_unusual_amounts_in_a_file_must_be_confirmed(client):
    world = make_world()
    client.force_login(world.user)
    content = f"{world.known.recipient_number};900,00\n".encode()
    upload(client, world, content)
    bulk = BulkImport.objects.get()
    page = client.get(reverse("rents:bulk_detail", args=[world.portfolio.pk, bulk.pk]))
    assert "650,00\xa0€" in page.content.decode() and "656,76\xa0€" in page.content.decode()
    record = reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk])
    assert "Cochez la case" in client.post(record, {}).content.decode()
    assert client.post(record, {"confirmed": "on"}).status_code == 302
    assert JulyRent.objects.get(tenancy=world.known, year=2026).amount == Decimal("900.00")


def run_worker(monkeypatch):
    """`manage.py db_worker --batch` in this process, on the test database (kept open)."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--queue-name", "files")


def test_a_large_file_is_checked_and_recorded_in_the_background(client, settings, monkeypatch):
    settings.RENT_BULK_BACKGROUND_LINES = 1
    world = make_world()
    client.force_login(world.user)
    response = upload(client, world, csv_file(world, with_errors=False))
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "Vérification en cours" in page
    run_worker(monkeypatch)
    page = client.get(response["Location"]).content.decode()
    assert "2 valides" in page
    bulk = BulkImport.objects.get()
    client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    page = client.get(response["Location"]).content.decode()
    assert "Enregistrement en cours" in page
    run_worker(monkeypatch)
    bulk.refresh_from_db()
    assert bulk.status == BulkImport.Status.RECORDED
    assert JulyRent.objects.filter(year=2026).count() == 2


def test_a_background_recording_refused_meanwhile_says_why_and_can_be_retried(
    client, settings, monkeypatch
):
    """The campaign closes between the click and the worker: the page stops waiting, says
    why, and the landlord can record once it is open again."""
    import datetime
    import html

    from portail.rents.models import RentCampaign

    settings.RENT_BULK_BACKGROUND_LINES = 1
    world = make_world()
    client.force_login(world.user)
    response = upload(client, world, csv_file(world, with_errors=False))
    run_worker(monkeypatch)
    bulk = BulkImport.objects.get()
    record = reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk])
    client.post(record, {})
    campaign = RentCampaign.objects.create(
        year=2026, opens_on=datetime.date(2026, 7, 1), closes_on=datetime.date(2026, 11, 26)
    )
    run_worker(monkeypatch)
    bulk.refresh_from_db()
    assert bulk.status == BulkImport.Status.CHECKED
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "<progress" not in page
    assert "n'a pas été enregistré" in page and "est fermée" in page
    assert not JulyRent.objects.filter(year=2026).exists()
    campaign.delete()  # open again (default dates)
    client.post(record, {})
    run_worker(monkeypatch)
    bulk.refresh_from_db()
    assert (bulk.status, bulk.refusal) == (BulkImport.Status.RECORDED, "")
    assert JulyRent.objects.filter(year=2026).count() == 2


def test_an_unreadable_file_is_reported(client):
    world = make_world()
    client.force_login(world.user)
    response = upload(client, world, b"PK\x03\x04not really a workbook", name="x.xlsx")
    assert response.status_code == 200  # refused at once, before anything is stored
    assert "ne peut pas être lu" in response.content.decode()
    assert not BulkImport.objects.exists()


def test_a_file_correcting_declared_rents_adds_versions(client):
    world = make_world()
    client.force_login(world.user)
    for amount in ("655,00", "652,00"):
        upload(client, world, f"{world.known.recipient_number};{amount}\n".encode())
        bulk = BulkImport.objects.latest("pk")
        client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    versions = [(v, a) for _t, v, a in all_versions(world.known)]
    assert versions == [(1, Decimal("655.00")), (2, Decimal("652.00"))]
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.amount, rent.source) == (Decimal("652.00"), JulyRent.Source.IMPORT)


def test_a_file_correcting_declared_rents_keeps_each_version_with_who_and_when(client):
    from portail.rents.models import RentDeclaration, RentSubmission

    world = make_world()
    client.force_login(world.user)
    upload(client, world, f"{world.known.recipient_number};655,00\n".encode())
    bulk = BulkImport.objects.latest("pk")
    client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    first = RentSubmission.objects.get()
    content = f"{world.known.recipient_number};652,00\n{world.newcomer.recipient_number};700,00\n"
    upload(client, world, content.encode())
    bulk = BulkImport.objects.latest("pk")
    response = client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    assert [(t, v, a) for t, v, a in all_versions()] == [
        (world.known.pk, 1, Decimal("655.00")),
        (world.known.pk, 2, Decimal("652.00")),
        (world.newcomer.pk, 1, Decimal("700.00")),
    ]
    [old] = RentDeclaration.objects.all()
    assert (old.submission, old.declared_by, old.version) == (first, world.user, 1)
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    bulk.refresh_from_db()
    assert (rent.version, rent.submission_id) == (2, bulk.submission_id)
    # Each acknowledgement lists its own lines, superseded or current.
    page = client.get(response["Location"]).content.decode()
    assert "652,00\xa0€" in page and "700,00\xa0€" in page and "655,00" not in page
    old_page = client.get(
        reverse("rents:acknowledgement", args=[world.portfolio.pk, first.pk])
    ).content.decode()
    assert "655,00\xa0€" in old_page and "première déclaration" in old_page


def test_a_file_after_the_agency_replaced_a_declared_rent_continues_its_versions(client):
    from portail.rents import declarations

    world = make_world()
    client.force_login(world.user)
    upload(client, world, f"{world.known.recipient_number};655,00\n".encode())
    bulk = BulkImport.objects.latest("pk")
    client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    declarations.record_current_rent(
        tenancy_id=world.known.pk,
        year=2026,
        values={"amount": Decimal("640.00"), "source": JulyRent.Source.FEED},
    )
    upload(client, world, f"{world.known.recipient_number};652,00\n".encode())
    bulk = BulkImport.objects.latest("pk")
    client.post(reverse("rents:bulk_record", args=[world.portfolio.pk, bulk.pk]), {})
    assert [(v, a) for _t, v, a in all_versions(world.known)] == [
        (1, Decimal("655.00")),
        (2, Decimal("652.00")),
    ]
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.source, rent.version, rent.amount) == ("import", 2, Decimal("652.00"))


def test_the_deposit_page_lists_the_portfolios_last_files_only(client):
    world = make_world()
    other = make_world()
    client.force_login(other.user)
    upload(client, other, csv_file(other, with_errors=False), name="autre-parc.csv")
    client.force_login(world.user)
    upload(client, world, csv_file(world, with_errors=True), name="juillet.csv")
    page = client.get(reverse("rents:bulk_new", args=[world.portfolio.pk])).content.decode()
    mine = BulkImport.objects.get(filename="juillet.csv")
    assert reverse("rents:bulk_detail", args=[world.portfolio.pk, mine.pk]) in page
    assert "2 lignes valides, à enregistrer" in page
    assert "autre-parc.csv" not in page


def test_a_small_file_reads_only_the_tenancies_it_names(client, monkeypatch):
    """A file of a few lines is checked against its own tenancies, not the whole portfolio's
    (a 50-line file of a 10,000-tenancy portfolio took a second); the refusals are the same,
    and a big file still reads the portfolio in one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portail.rents import bulk

    world = make_world()
    client.force_login(world.user)
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, world, csv_file(world, with_errors=True))
    tenancy_reads = [q["sql"] for q in queries if 'FROM "portfolios_tenancy"' in q["sql"]]
    assert tenancy_reads and all('"recipient_number" IN' in sql for sql in tenancy_reads)
    page = response.content.decode() if response.status_code == 200 else ""
    checked = BulkImport.objects.get()
    assert checked.error_count == 4, page[:200]
    assert [error[2] for error in checked.errors][:1] == [
        "Ce numéro allocataire n'est pas dans ce parc."
    ]
    monkeypatch.setattr(bulk, "FEW_LINES", 2)
    BulkImport.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        upload(client, world, csv_file(world, with_errors=True))
    tenancy_reads = [q["sql"] for q in queries if 'FROM "portfolios_tenancy"' in q["sql"]]
    assert not any('"recipient_number" IN' in sql for sql in tenancy_reads)
    assert BulkImport.objects.get().error_count == 4
