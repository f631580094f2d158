"""Benchmark: a 100,000-line bulk declaration of July 2026 rents, checked and recorded, against
PostgreSQL COPY of the same rows into the same table (same columns, same constraints), in the
same run.

    .venv/bin/python bench/rents_bulk.py [--lines 100000] [--database-url URL]

Target (issue 5): at least 0.5 of COPY's rows per second into rents_julyrent, which was the one
table a declared line wrote (the current version, with its submission and version number).
Since issue 14 a declared line also rewrites its tenancy's campaign state
(rents_tenancycampaignstate, kept in the same transaction), so the second reference is COPY of
the same rows into both tables: the rents, and the states replaced (deleted, then copied
declared with their new rent). The database is recreated.
Also against django-import-export (a dev dependency) importing the same file's lines into the
same table, on its first `--import-export-lines` lines (it is slow; target: at least 20 times
its rows per second).
Under load, wall-clock seconds vary more than the work: COPY of the rents and our declaration
also print their CPU seconds (this process and, on a local PostgreSQL, its server process from
/proc: I/O waits and the WAL writer are not in it), and the ratio of those.
"""

import argparse
import datetime
import os
import time
from pathlib import Path

from rents_common import DEFAULT_URL, make_portfolio, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--import-export-lines", type=int, default=5_000)
    args = parser.parse_args()
    setup_django(args.database_url)
    import time_machine
    from django.core.files.base import ContentFile
    from django.db import connection, transaction

    from portail.portfolios.selectors import portfolio_for_user
    from portail.rents import bulk as services
    from portail.rents.models import JulyRent, RentDeclaration

    user, portfolio, ids = make_portfolio(args.lines)
    lines = [f"{number};{500 + int(number) % 400},50" for _, number in ids]
    content = ("numero_allocataire;montant\n" + "\n".join(lines) + "\n").encode()
    engine = (
        f"PostgreSQL {connection.pg_version // 10000}"
        if connection.vendor == "postgresql"
        else "SQLite (the reference: one executemany INSERT, SQLite has no COPY)"
    )
    print(f"{args.lines:,} lines, {engine}")

    # Reference: COPY of the same rows into the same table, committed, then removed.
    now = datetime.datetime.now(tz=datetime.UTC)
    rows = [(tenancy_id, f"{500 + int(number) % 400}.50") for tenancy_id, number in ids]
    _checkpoint()
    cpu = _cpu()
    copy_rents = _copy_current(rows, user, portfolio, now)
    cpu_rents = _cpu() - cpu
    _checkpoint()
    copy_both = _copy_with_states(rows, user, portfolio, now)
    print(
        f"COPY into rents_julyrent (same columns as ours)    : {copy_rents:6.2f} s "
        f"{len(rows) / copy_rents:10,.0f} rows/s"
    )
    print(
        f"COPY into rents_julyrent + campaign states        : {copy_both:6.2f} s "
        f"{len(rows) / copy_both:10,.0f} rows/s  (what a declared line writes since issue 14)"
    )

    with time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC), tick=True):
        portfolio = portfolio_for_user(user, portfolio.pk)
        _checkpoint()
        start, cpu = time.perf_counter(), _cpu()
        bulk = services.deposit_bulk_import(
            user=user, portfolio=portfolio, upload=ContentFile(content, name="loyers.csv")
        )
        bulk = services.check_bulk_import(bulk_import_id=bulk.pk)
        checked = time.perf_counter() - start
        assert not bulk.errors, bulk.errors[:3]
        bulk = services.record_bulk_import(bulk_import_id=bulk.pk, user=user)
        elapsed = time.perf_counter() - start
        cpu_ours = _cpu() - cpu
    assert not RentDeclaration.objects.exists()  # first declarations: nothing superseded
    assert (
        JulyRent.objects.filter(
            year=2026, source="import", version=1, submission=bulk.submission
        ).count()
    ) == args.lines
    rate = args.lines / elapsed
    print(
        f"our bulk declaration (check {checked:.2f} s + record {elapsed - checked:.2f} s): "
        f"{elapsed:6.2f} s {rate:10,.0f} rows/s"
    )
    print(
        f"ratio to COPY into rents_julyrent                  : "
        f"{rate / (len(rows) / copy_rents):.3f}  (target >= 0.5)"
    )
    print(
        f"ratio to COPY into rents_julyrent + states       : {rate / (len(rows) / copy_both):.3f}"
    )
    print(
        f"CPU seconds (client + server): COPY rents {cpu_rents:.2f}, ours {cpu_ours:.2f}, "
        f"ratio {cpu_rents / cpu_ours:.3f}"
    )
    _clean_rents()  # django-import-export creates the rows too, as our import did
    ie_lines = min(args.import_export_lines, args.lines)
    for tuned in (False, True):
        ie_rate = _import_export(lines[:ie_lines], user, tuned=tuned)
        how = "tuned (use_bulk, skip_diff, force_init_instance)" if tuned else "defaults"
        print(
            f"django-import-export, {how}, first {ie_lines:,} lines: {ie_rate:10,.0f} rows/s; "
            f"ours / it: {rate / ie_rate:.1f}  (target >= 20)"
        )
    del transaction


def _import_export(lines, user, *, tuned: bool) -> float:
    """Rows per second of django-import-export importing these lines (same CSV) as July 2026
    rents, with its defaults (a transaction, a look-up per row), removed afterwards."""
    import tablib
    from import_export import fields, resources, widgets

    from portail.portfolios.models import Tenancy
    from portail.rents.models import JulyRent

    class JulyRentResource(resources.ModelResource):
        tenancy = fields.Field(
            attribute="tenancy",
            column_name="numero_allocataire",
            widget=widgets.ForeignKeyWidget(Tenancy, field="recipient_number"),
        )

        class Meta:
            model = JulyRent
            fields = ("tenancy", "year", "amount", "source", "recorded_by")
            import_id_fields = ("tenancy", "year")
            # Tuned: new rows only, no diff, bulk_create by 1,000 (the foreign key is still
            # looked up per row).
            use_bulk = skip_diff = force_init_instance = tuned

        def before_import(self, dataset, **kwargs):
            n = len(dataset)
            dataset.append_col([a.replace(",", ".") for a in dataset["montant"]], header="amount")
            dataset.append_col([2026] * n, header="year")
            dataset.append_col(["import"] * n, header="source")
            dataset.append_col([user.pk] * n, header="recorded_by")

    content = "numero_allocataire;montant\n" + "\n".join(lines) + "\n"
    dataset = tablib.Dataset().load(content, format="csv", delimiter=";")
    start = time.perf_counter()
    result = JulyRentResource().import_data(dataset, raise_errors=True)
    elapsed = time.perf_counter() - start
    assert not result.has_errors() and result.totals["new"] == len(lines), result.totals
    _clean_rents()
    return len(lines) / elapsed


def _insert_submission(cursor, portfolio, user, now) -> int:
    import uuid

    cursor.execute(
        "INSERT INTO rents_rentsubmission (portfolio_id, year, channel, token, "
        "submitted_by_id, submitted_at) VALUES (%s, 2026, 'import', %s, %s, %s) "
        "RETURNING id",
        [portfolio.pk, uuid.uuid4().hex, user.pk, now],
    )
    return cursor.fetchone()[0]


def _write(cursor, table_columns: str, rows) -> None:
    """COPY on PostgreSQL; one executemany INSERT on SQLite (its fastest way in)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table_columns} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    rows = list(rows)
    marks = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO {table_columns} VALUES ({marks})", rows)  # noqa: S608


def _copy_current(rows, user, portfolio, now) -> float:
    """Seconds to create the submission, COPY the rows into rents_julyrent with the columns our
    import writes (submission and version included) and commit; removed afterwards."""
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        submission_id = _insert_submission(cursor, portfolio, user, now)
        _write(
            cursor,
            "rents_julyrent (tenancy_id, year, amount, source, recorded_at, recorded_by_id, "
            "submission_id, version)",
            (
                (tenancy_id, 2026, amount, "import", now, user.pk, submission_id, 1)
                for tenancy_id, amount in rows
            ),
        )
    elapsed = time.perf_counter() - start
    _clean()
    return elapsed


def _copy_with_states(rows, user, portfolio, now) -> float:
    """The rents by COPY as _copy_current, and the tenancies' states of the year deleted and
    copied again as declared with their new rent (same columns as campaign_state writes);
    the year's states are rebuilt afterwards."""
    from django.db import connection, transaction

    from portail.rents.campaign_state import STATE_COLUMNS
    from portail.rents.campaign_years import build_year

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tenancy_id, tenant_name, recipient_number, rent_previous_key "
            "FROM rents_tenancycampaignstate WHERE year = 2026 AND portfolio_id = %s",
            [portfolio.pk],
        )
        states = {row[0]: row[1:] for row in cursor.fetchall()}
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        submission_id = _insert_submission(cursor, portfolio, user, now)
        _write(
            cursor,
            "rents_julyrent (tenancy_id, year, amount, source, recorded_at, recorded_by_id, "
            "submission_id, version)",
            (
                (tenancy_id, 2026, amount, "import", now, user.pk, submission_id, 1)
                for tenancy_id, amount in rows
            ),
        )
        cursor.execute(
            "DELETE FROM rents_tenancycampaignstate WHERE year = 2026 AND portfolio_id = %s",
            [portfolio.pk],
        )
        _write(
            cursor,
            f"rents_tenancycampaignstate ({', '.join(STATE_COLUMNS)})",
            (
                (tenancy_id, portfolio.pk, 2026, "declared", *states[tenancy_id][:2], amount)
                + (states[tenancy_id][2], True, True)
                for tenancy_id, amount in rows
            ),
        )
    elapsed = time.perf_counter() - start
    _clean()
    build_year(2026)
    with connection.cursor() as cursor:
        # The rebuild leaves every state of the year dead once more (and as many dead entries
        # in its five indexes): without this, our measure ran against that bloat, which
        # autovacuum removes in production (rents_common.make_portfolio's steady state).
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE rents_tenancycampaignstate")
    return elapsed


def _cpu() -> float:
    """CPU seconds of this process, plus its PostgreSQL server process when it runs here."""
    from django.db import connection

    seconds = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _checkpoint() -> None:
    """PostgreSQL: each measure starts from a checkpoint, so none pays for the dirty pages and
    the WAL of the one before it (a checkpoint forced in the middle of ours, full-page images
    after it, dirty buffers to evict: 9-16 s instead of 6 s to record 100,000 lines)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def _clean_rents() -> None:
    """Remove the July 2026 rents (the declarations of our import stay)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM rents_julyrent WHERE year = 2026")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE rents_julyrent")


def _clean() -> None:
    """Remove the reference rows, and their dead tuples, before the next measure."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM rents_julyrent WHERE year = 2026")
        cursor.execute("DELETE FROM rents_rentdeclaration")
        cursor.execute("DELETE FROM rents_rentsubmission")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE rents_julyrent")
            cursor.execute("VACUUM ANALYZE rents_rentdeclaration")


if __name__ == "__main__":
    main()
