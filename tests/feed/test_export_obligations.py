"""export_declarations: unpaid-rent reports and their states, departures and other changes
(with their corrections and final states), each step or version once across batches."""

import csv
import datetime
import uuid
import zoneinfo
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from portail.feed import declarations
from portail.obligations import services
from portail.portfolios.selectors import portfolio_for_user
from tests.backoffice.conftest import make_staff
from tests.obligations.conftest import make_landlord

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def at(day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(2026, 11, day, hour, tzinfo=PARIS), tick=False)


def run(directory) -> str:
    out = StringIO()
    call_command("export_declarations", str(directory), stdout=out)
    return out.getvalue()


def rows_of(directory, name: str) -> list[dict]:
    """The rows of one source's file, every batch in order."""
    rows = []
    for batch in sorted(directory.glob("declarations-*")):
        with (batch / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert tuple(reader.fieldnames) == next(
                s.columns for s in declarations.SOURCES if s.name == name
            )
            rows.extend(reader)
    return rows


def portfolio(world):
    return portfolio_for_user(world.user, world.portfolio.pk)


def report_unpaid(world):
    return services.report_unpaid_rent(
        user=world.user,
        portfolio=portfolio(world),
        tenancy_id=world.direct.pk,
        first_unpaid_month=datetime.date(2026, 9, 1),
        monthly_rent=Decimal("280"),
        monthly_charges=Decimal("20"),
        aid=Decimal("50"),
        amount_owed=Decimal("750"),
        tenant_pays_part=False,
        token=uuid.uuid4(),
    )


@pytest.fixture
def world():
    return make_landlord(email="bailleur@example.fr")


def test_each_step_of_an_unpaid_rent_report_is_exported_once_with_its_facts(world, tmp_path):
    agent = make_staff("agent")
    with at(2):
        report = report_unpaid(world)
    with at(3):
        services.set_unpaid_report_status(
            report_id=report.pk, agent=agent, status="under_review", reason="Dossier ouvert"
        )
    with at(4):
        assert "unpaid_rent_reports.csv: 2 row(s)" in run(tmp_path)
    with at(4, 11):
        services.set_unpaid_report_status(
            report_id=report.pk, agent=agent, status="plan_expected", reason="Plan demandé"
        )
        services.send_repayment_plan(
            user=world.user,
            portfolio=portfolio(world),
            report_id=report.pk,
            upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        )
    with at(5):
        assert "unpaid_rent_reports.csv: 2 row(s)" in run(tmp_path)
        assert "nothing new to export yet" in run(tmp_path)
    rows = rows_of(tmp_path, "unpaid_rent_reports")
    steps = [(r["version"], r["event"], r["status"], r["reason"]) for r in rows]
    assert steps[1:] == [
        ("2", "status", "under_review", "Dossier ouvert"),
        ("3", "status", "plan_expected", "Plan demandé"),
        ("4", "plan", "plan_expected", ""),
    ]
    assert steps[0][:3] == ("1", "reported", "received")
    first, plan = rows[0], rows[3]
    assert first["report_id"] == str(report.pk) and first["by"] == world.user.user_number
    assert first["recipient_number"] == world.direct.recipient_number
    assert first["portfolio_ref"] == world.portfolio.ref
    assert first["at"] == "2026-11-02T09:00:00.000000Z"
    assert (first["first_unpaid_month"], first["monthly_rent"], first["aid"]) == (
        "2026-09-01",
        "280.00",
        "50.00",
    )
    assert (first["direct_payment"], first["tenant_pays_part"]) == ("1", "0")
    assert (first["amount_owed"], first["threshold"]) == ("750.00", "500.00")
    assert rows[1]["by"] == ""  # an agent of the agency: no user number
    assert plan["plan_due_on"] == "2027-05-04" and plan["paid_off_on"] == ""


def departure(world, day: str = "31/12/2026"):
    return {"kind": "departure", "move_out_date": datetime.date(2026, 12, int(day[:2]))}


def test_changes_their_corrections_and_final_states_are_exported_once(world, tmp_path):
    agent = make_staff("agent")
    with at(2):
        left = services.report_change(
            user=world.user,
            portfolio=portfolio(world),
            tenancy_id=world.direct.pk,
            content={**departure(world), "new_address": "8 rue Neuve, 13002 Marseille"},
            token=uuid.uuid4(),
        )
        co_tenants = services.report_change(
            user=world.user,
            portfolio=portfolio(world),
            tenancy_id=world.other.pk,
            content={"kind": "co_tenants", "co_tenant_count": 2},
            token=uuid.uuid4(),
        )
    with at(2, 11):  # corrected in the same window: both versions in the first batch
        services.correct_change(
            user=world.user,
            portfolio=portfolio(world),
            report_id=co_tenants.pk,
            content={"co_tenant_count": 3},
            expected_version=1,
        )
    with at(3):
        run(tmp_path)
    with at(3, 11):  # corrected after its export: only the new version goes next
        services.correct_change(
            user=world.user,
            portfolio=portfolio(world),
            report_id=left.pk,
            content={**departure(world, "15/12/2026"), "new_address": ""},
            expected_version=1,
        )
        services.handle_change(report_id=co_tenants.pk, agent=agent)
    with at(4):
        run(tmp_path)
    with at(4, 11):
        services.withdraw_change(user=world.user, portfolio=portfolio(world), report_id=left.pk)
    with at(5):
        run(tmp_path)
        run(tmp_path)
    versions = sorted(
        (r["change_id"], r["version"], r["status"], r["move_out_date"], r["co_tenant_count"])
        for name in ("changes", "superseded_changes")
        for r in rows_of(tmp_path, name)
    )
    assert versions == sorted(
        [
            (str(left.pk), "1", "declared", "2026-12-31", ""),
            (str(left.pk), "2", "declared", "2026-12-15", ""),
            (str(co_tenants.pk), "1", "superseded", "", "2"),
            (str(co_tenants.pk), "2", "declared", "", "3"),
        ]
    )
    first = rows_of(tmp_path, "changes")[0]
    assert first["new_address"] == "8 rue Neuve, 13002 Marseille"
    assert first["declared_by"] == world.user.user_number
    assert first["declared_at"] == "2026-11-02T09:00:00.000000Z"
    states = rows_of(tmp_path, "change_states")
    states = [(r["change_id"], r["version"], r["status"]) for r in states]
    assert states == [(str(co_tenants.pk), "3", "handled"), (str(left.pk), "3", "withdrawn")]


def test_a_departure_the_feed_confirms_is_exported_as_handled(world, tmp_path):
    with at(2):
        change = services.report_change(
            user=world.user,
            portfolio=portfolio(world),
            tenancy_id=world.direct.pk,
            content=departure(world),
            token=uuid.uuid4(),
        )
    with at(3):
        world.direct.end_date = datetime.date(2026, 12, 31)
        world.direct.save()
        assert services.confirm_changes_closed_by_feed() == 1
    with at(4):
        run(tmp_path)
    assert [(r["change_id"], r["status"]) for r in rows_of(tmp_path, "change_states")] == [
        (str(change.pk), "handled")
    ]
    assert rows_of(tmp_path, "changes")[0]["status"] == "handled"
