"""export_declarations killed for real (SIGKILL, a process of its own) in the middle of a run,
then run again: every row of every source is in exactly one batch, nothing lost, nothing
twice. Two moments: while its files are written (before the rename), and after the rename
but before the watermarks are recorded (the test holds the watermarks' table locked, so the
run is blocked there when it is killed)."""

import csv
import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from portail.feed.models import ExportWatermark
from portail.obligations import services
from portail.obligations.models import UnpaidRentEvent, UnpaidRentReport
from portail.portfolios.selectors import portfolio_for_user
from tests.correspondence.conftest import REPO, database_url
from tests.obligations.conftest import make_landlord

pytestmark = pytest.mark.django_db(transaction=True)
# Enough steps that writing them takes a while: the run is caught with its files half written.
STEPS = 10_000


def export(directory) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "false"}
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "export_declarations", str(directory)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate, process: subprocess.Popen, *, timeout: float = 120) -> None:
    """Poll every millisecond until ``predicate()``; the run must still be going."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the export never reached the moment"
        time.sleep(0.001)


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def finish(directory) -> str:
    process = export(directory)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


def exported_steps(directory) -> Counter:
    """(report id, version) -> how many batches carry that step."""
    steps = Counter()
    for batch in directory.glob("declarations-*"):
        with (batch / "unpaid_rent_reports.csv").open(encoding="utf-8", newline="") as handle:
            steps.update((row["report_id"], row["version"]) for row in csv.DictReader(handle))
    return steps


def many_steps(count: int) -> set[tuple[str, str]]:
    """An unpaid-rent report with ``count`` steps recorded on 02/11/2026 (long settled)."""
    world = make_landlord(email="bailleur@example.fr")
    then = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(then, tick=False):
        report = services.report_unpaid_rent(
            user=world.user,
            portfolio=portfolio_for_user(world.user, world.portfolio.pk),
            tenancy_id=world.direct.pk,
            first_unpaid_month=datetime.date(2026, 9, 1),
            monthly_rent=Decimal("280"),
            monthly_charges=Decimal("20"),
            aid=Decimal("50"),
            amount_owed=Decimal("750"),
            tenant_pays_part=False,
            token=uuid.uuid4(),
        )
    UnpaidRentEvent.objects.bulk_create(
        UnpaidRentEvent(
            report=report,
            kind=UnpaidRentEvent.Kind.STATUS,
            status=UnpaidRentReport.Status.UNDER_REVIEW,
            reason=f"Relance {version}",
            actor=world.user,
            at=then + datetime.timedelta(microseconds=version),
            version=version,
        )
        for version in range(2, count + 1)
    )
    return {(str(report.pk), str(version)) for version in range(1, count + 1)}


def test_killed_while_writing_its_files_a_rerun_exports_everything_once(tmp_path):
    expected = many_steps(STEPS)
    process = export(tmp_path)
    wait_for(lambda: any(tmp_path.glob(".declarations-*.tmp/*.csv")), process)
    kill(process)
    assert any(tmp_path.glob(".declarations-*.tmp")) and not any(tmp_path.glob("declarations-*"))
    assert not ExportWatermark.objects.exists()
    finish(tmp_path)
    assert not any(tmp_path.glob(".declarations-*"))  # the half-written batch is gone
    steps = exported_steps(tmp_path)
    assert set(steps) == expected and set(steps.values()) == {1}


def test_killed_after_the_rename_before_the_watermark_a_rerun_adopts_the_batch(tmp_path):
    expected = many_steps(2_000)
    table = connection.ops.quote_name(ExportWatermark._meta.db_table)
    with transaction.atomic():
        # Held by the test: the run writes and renames its batch, then waits to record it.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            else:  # SQLite: this transaction began IMMEDIATE, the database's write lock
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's table
        process = export(tmp_path)
        wait_for(lambda: any(tmp_path.glob("declarations-*/manifest.json")), process)
        time.sleep(0.5)  # it is blocked on the lock, not about to record anything
        assert process.poll() is None
        kill(process)
    assert not ExportWatermark.objects.exists()
    assert "found complete, now recorded as exported" in finish(tmp_path)
    assert ExportWatermark.objects.count() == 6
    steps = exported_steps(tmp_path)
    assert set(steps) == expected and set(steps.values()) == {1}
