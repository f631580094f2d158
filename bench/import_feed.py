"""Benchmark: the agency feed import on a 100,000-tenancy feed (target: under 30 s on SQLite).

    .venv/bin/python bench/import_feed.py [--tenancies 100000] [--database-url URL]

Prints the import's rows per second, and as a reference measured in the same run on the same
machine, a bare bulk insert of the same tenancy rows into a table without constraints (SQLite
executemany, or COPY on PostgreSQL). Run it twice to see the second, idempotent pass.
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenancies", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a fresh SQLite file; a PostgreSQL one is created afresh (dropped first)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    if args.database_url and args.database_url.startswith("postgres"):
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
    feed_dir = work / "feed"
    large_feed(tenancies=args.tenancies).write(feed_dir)
    rows = {name: sum(1 for _ in (feed_dir / name).open()) - 1 for name in os.listdir(feed_dir)}
    total = sum(rows.values())
    print(f"feed: {args.tenancies:,} tenancies, {total:,} rows in all ({connection.vendor})")

    reference = _bare_insert(connection, feed_dir / "tenancies.csv")
    ref_rate = rows["tenancies.csv"] / reference
    print(f"reference, bare insert of tenancies.csv: {reference:6.2f} s  {ref_rate:10,.0f} rows/s")

    for label in ("first import", "second import (idempotent)"):
        start = time.perf_counter()
        report = import_feed(directory=feed_dir)
        elapsed = time.perf_counter() - start
        assert report.ok, report.errors[:5]
        rate = total / elapsed
        print(
            f"{label:<27}: {elapsed:6.2f} s  {rate:10,.0f} rows/s  "
            f"= {rate / ref_rate:.3f} x the bare insert rate"
        )


def _fresh_postgres_database(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _bare_insert(connection, path: Path) -> float:
    """Seconds to insert the tenancy rows into a bare table: the floor of any import."""
    from django.db import transaction

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        data = [tuple(row) for row in reader]
    columns = "a text, b text, c text, d text, e text, f text, g text"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(f"CREATE TABLE bench_bare ({columns})")
        start = time.perf_counter()
        with transaction.atomic():
            _copy_rows(connection, cursor, data)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_bare")
    return elapsed


def _copy_rows(connection, cursor, data) -> None:
    """The reference load: COPY on PostgreSQL, one executemany on SQLite."""
    if connection.vendor == "postgresql":
        with cursor.copy("COPY bench_bare FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
    else:
        cursor.executemany("INSERT INTO bench_bare VALUES (%s, %s, %s, %s, %s, %s, %s)", data)


if __name__ == "__main__":
    main()
