"""Benchmark: payments.csv of the agency's feed, 100,000 tenancies x 12 months (1.2 million
lines), imported with import_feed (target: under 60 s on SQLite on the team's machine).

    .venv/bin/python bench/payments_feed.py [--tenancies 100000] [--database-url URL]

The landlords, portfolios and tenancies are imported first (not timed). Then, timed: the
import of payments.csv alone (first pass, then the second, idempotent one), and as the
reference measured in the same run, a raw executemany (COPY on PostgreSQL) of the same 1.2
million rows, already in the database's form, into the same table, rolled back. Lines per
second and the ratio to the reference are printed, with each case's CPU time (the process's
own, SQLite's work included: what the machine's load does not change) and the bytes it wrote
to disk (/proc/self/io: the log, then the checkpoint into the database file).
"""

import argparse
import csv
import datetime
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenancies", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    if args.database_url and args.database_url.startswith("postgres"):
        from import_feed import _fresh_postgres_database

        _fresh_postgres_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from portail.feed.samples import large_feed
    from portail.feed.services import import_feed

    call_command("migrate", verbosity=0)
    feed = large_feed(tenancies=args.tenancies, per_landlord=args.tenancies)  # one portfolio
    feed.direct_payments(months=args.months, everyone=True)
    base, payments = work / "base", work / "payments"
    feed.write(base)
    payments.mkdir()
    shutil.move(base / "payments.csv", payments / "payments.csv")
    lines = len(feed.payments)
    assert import_feed(directory=base).ok
    print(f"{args.tenancies:,} tenancies, payments.csv of {lines:,} lines ({connection.vendor})")

    cpu = time.process_time()
    reference, ref_cpu = _raw_insert(connection, payments / "payments.csv")
    cpu = time.process_time() - cpu
    ref_rate = lines / reference
    print(
        f"reference, raw insert into the table : {reference:6.2f} s  {ref_rate:10,.0f} lines/s"
        f"  (CPU {ref_cpu:.2f} s; {cpu:.2f} s with the file's reading; rolled back)",
        flush=True,
    )
    print(f"load average of the machine: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for label in ("import_feed, first pass", "import_feed, second (idempotent)"):
        start, cpu, written = time.perf_counter(), time.process_time(), _written()
        report = import_feed(directory=payments)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        written = (_written() - written) / 1e6
        assert report.ok, report.errors[:5]
        rate = lines / elapsed
        print(
            f"{label:<37}: {elapsed:6.2f} s  {rate:10,.0f} lines/s  "
            f"= {rate / ref_rate:.3f} x the raw insert rate  (CPU {cpu:.2f} s "
            f"= {cpu / ref_cpu:.2f} x the reference's; {written:,.0f} MB written)",
            flush=True,
        )
    print(f"load average of the machine: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


def _written() -> int:
    """Bytes this process caused to be written to disk so far (Linux)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def _raw_insert(connection, path: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to insert the file's rows, already converted, into the payments
    table."""
    from django.db import transaction

    from portail.payments.models import Payment
    from portail.portfolios.models import Tenancy

    tenancies = dict(Tenancy.objects.values_list("recipient_number", "pk"))
    portfolio = Tenancy.objects.values_list("portfolio_id", flat=True).first()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [
            (ref, tenancies[number], portfolio, number, f"{period}-01", Decimal(amount), paid)
            for number, period, amount, paid, ref in reader
        ]
    if connection.vendor == "postgresql":
        rows = [(*r[:4], datetime.date.fromisoformat(r[4]), r[5], r[6]) for r in rows]
    table = Payment._meta.db_table
    columns = "reference, tenancy_id, portfolio_id, recipient_number, period, amount, paid_on"
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                for index in range(0, len(rows), 1000):
                    cursor.executemany(sql, rows[index : index + 1000])
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            raise _RolledBack
    except _RolledBack:
        pass
    return elapsed, cpu


class _RolledBack(Exception):
    pass


if __name__ == "__main__":
    main()
