"""export_declarations: every declared version once, by watermark, and after a crash."""

import csv
import datetime
import json
import uuid
import zoneinfo
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from portail.audit.models import Event
from portail.feed import export
from portail.feed.models import ExportWatermark
from portail.portfolios.selectors import portfolio_for_user
from portail.rents.declarations import declare_rent
from tests.rents.helpers import make_world

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(2026, 11, day, hour, tzinfo=PARIS), tick=False)


def declare(world, tenancy, amount: str):
    portfolio = portfolio_for_user(world.user, world.portfolio.pk)
    versions = [v for v in tenancy.july_rents.filter(year=2026).values_list("version", flat=True)]
    declare_rent(
        user=world.user,
        portfolio=portfolio,
        tenancy_id=tenancy.pk,
        year=2026,
        amount=Decimal(amount),
        token=uuid.uuid4(),
        expected_version=(versions[0] or 0) if versions else 0,
        confirmed=True,
    )


def run(directory, *args) -> str:
    out = StringIO()
    call_command("export_declarations", str(directory), *args, stdout=out)
    return out.getvalue()


def exported(directory) -> list[tuple]:
    """Every row of every batch: (file, recipient number, amount, version)."""
    rows = []
    for batch in sorted(directory.glob("declarations-*")):
        for name in ("july_rents", "superseded_july_rents"):
            with (batch / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    rows.append((name, row["recipient_number"], row["amount"], row["version"]))
    return sorted(rows)


@pytest.fixture
def world():
    return make_world()


def test_the_first_export_writes_every_declared_version_with_its_contract(world, tmp_path):
    with at(2):
        declare(world, world.known, "655.00")
    with at(3):
        declare(world, world.known, "660.00")  # a correction: version 2
        declare(world, world.newcomer, "480.50")
    with at(4):
        output = run(tmp_path)
    batch = next(tmp_path.glob("declarations-*"))
    assert f"{batch.name}/july_rents.csv: 2 row(s)" in output
    with (batch / "july_rents.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "recipient_number",
        "portfolio_ref",
        "year",
        "amount",
        "version",
        "channel",
        "declared_at",
        "declared_by",
        "submission_id",
    ]
    first = rows[0]
    assert first["recipient_number"] == world.known.recipient_number
    assert (first["year"], first["amount"], first["version"]) == ("2026", "660.00", "2")
    assert first["channel"] == "online" and first["portfolio_ref"] == world.portfolio.ref
    assert first["declared_at"] == "2026-11-03T09:00:00.000000Z"
    assert first["declared_by"] == world.user.user_number
    assert exported(tmp_path) == sorted(
        [
            ("july_rents", world.known.recipient_number, "660.00", "2"),
            ("july_rents", world.newcomer.recipient_number, "480.50", "1"),
            ("superseded_july_rents", world.known.recipient_number, "655.00", "1"),
        ]
    )
    manifest = json.loads((batch / "manifest.json").read_text())
    assert manifest["sources"]["july_rents"]["rows"] == 2
    assert Event.objects.filter(action="declarations_exported", target=batch.name).exists()


def test_runs_export_what_came_since_and_a_correction_after_an_export(world, tmp_path):
    with at(2):
        declare(world, world.known, "655.00")
    with at(3):
        run(tmp_path)
    with at(3, 11):
        assert "july_rents.csv: 0 row(s)" in run(tmp_path)  # an hour later, nothing new
        assert "nothing new to export yet" in run(tmp_path)  # the same instant again
        declare(world, world.known, "656.00")
    with at(4):
        run(tmp_path)
    assert len(list(tmp_path.glob("declarations-*"))) == 3
    # Version 1 went in the first batch as current; the second carries version 2 only.
    assert exported(tmp_path) == [
        ("july_rents", world.known.recipient_number, "655.00", "1"),
        ("july_rents", world.known.recipient_number, "656.00", "2"),
    ]


def test_a_declaration_younger_than_the_settling_time_waits_for_the_next_run(world, tmp_path):
    with at(2):
        declare(world, world.known, "655.00")
        assert "july_rents.csv: 0 row(s)" in run(tmp_path)
    with at(2, 11):
        assert "july_rents.csv: 1 row(s)" in run(tmp_path)


def test_killed_between_the_files_and_the_watermark_a_rerun_gives_the_rows_once(world, tmp_path):
    with at(2):
        declare(world, world.known, "655.00")
    with at(3):
        # The run's first steps, then the process dies: files renamed, watermark not moved.
        marks = export._watermarks()
        windows = {s.name: marks.get(s.name) for s in export.SOURCES}
        export._write_batch(tmp_path, windows, export.clock.now() - export.SETTLE)
    assert not ExportWatermark.objects.exists()
    with at(3, 12):
        declare(world, world.known, "656.00")  # corrected after the crashed run's window
    with at(4):
        output = run(tmp_path)
    assert "found complete, now recorded as exported" in output
    assert exported(tmp_path) == [
        ("july_rents", world.known.recipient_number, "655.00", "1"),
        ("july_rents", world.known.recipient_number, "656.00", "2"),
    ]
    with at(5):
        run(tmp_path)
    assert len(exported(tmp_path)) == 2


def test_killed_before_the_rename_the_half_written_batch_is_discarded(world, tmp_path):
    with at(2):
        declare(world, world.known, "655.00")
    unfinished = tmp_path / ".declarations-20261103T090000000000Z.tmp"
    unfinished.mkdir()
    (unfinished / "july_rents.csv").write_text("recipient_number\n1000", encoding="utf-8")
    with at(3):
        run(tmp_path)
        run(tmp_path)
    assert not unfinished.exists()
    assert exported(tmp_path) == [("july_rents", world.known.recipient_number, "655.00", "1")]


def test_since_replays_a_window_already_exported(world, tmp_path):
    with at(2):
        declare(world, world.known, "655.00")
    with at(3):
        run(tmp_path)
    with at(4):
        run(tmp_path, "--since", "2026-11-01")
    assert len(exported(tmp_path)) == 2  # asked for again: in both batches
