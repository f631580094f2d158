"""Shared set-up of the rents benchmarks: a fresh database (PostgreSQL, or SQLite for the
benchmarks that take a sqlite:/// URL) with one landlord whose portfolio holds N tenancies (all
tenants since 2020, July 2025 rent known), loaded with COPY (PostgreSQL) or executemany, then
the current campaign's kept states built as the turn of year builds them."""

import datetime
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_rents"


def setup_django(database_url: str) -> None:
    """Recreate the database, point Django at it (production mode), migrate."""
    if database_url.startswith("sqlite:"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECURE_COOKIES"] = "false"
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # plain HTTP on loopback
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-rents-")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_portfolio(tenancies: int):
    """One natural landlord, its user and one portfolio of `tenancies` tenancies (COPY)."""
    from django.db import connection, transaction

    from portail.accounts.models import Landlord, User
    from portail.portfolios.models import Portfolio

    landlord = Landlord.objects.create(
        ref="BENCH",
        kind="natural",
        name="Bailleur du banc",
        address_line1="1 rue",
        postcode="13001",
        city="Marseille",
    )
    user = User.objects.create_user(
        "LOGBENCH", "Banc-de-mesure-2026", landlord=landlord, user_number="9999999999"
    )
    portfolio = Portfolio.objects.create(ref="BENCH-A", landlord=landlord, name="Grand parc")
    now = datetime.datetime.now(tz=datetime.UTC)
    tenancy_rows = (
        (
            str(8_000_000 + i),
            portfolio.pk,
            f"NOM{i % 997:03d} Prénom{i}",
            f"{i % 200} rue de la Mesure, 13001 Marseille",
            datetime.date(2020, 1 + i % 12, 1),
            i % 2 == 0,
        )
        for i in range(tenancies)
    )
    tenancy_columns = (
        "recipient_number, portfolio_id, tenant_name, dwelling_address, start_date, direct_payment"
    )
    rent_columns = "tenancy_id, year, amount, source, recorded_at"
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            with cursor.copy(f"COPY portfolios_tenancy ({tenancy_columns}) FROM STDIN") as copy:
                for row in tenancy_rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 6)
            cursor.executemany(
                f"INSERT INTO portfolios_tenancy ({tenancy_columns}) VALUES ({marks})",
                list(tenancy_rows),
            )
        cursor.execute(
            "SELECT id, recipient_number FROM portfolios_tenancy WHERE portfolio_id = %s",
            [portfolio.pk],
        )
        ids = cursor.fetchall()
        rents = [
            (tenancy_id, 2025, f"{500 + int(number) % 400}.00", "feed", now)
            for tenancy_id, number in ids
        ]
        if postgresql:
            with cursor.copy(f"COPY rents_julyrent ({rent_columns}) FROM STDIN") as copy:
                for row in rents:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO rents_julyrent ({rent_columns}) VALUES (%s, %s, %s, %s, %s)", rents
            )
    # Rows written by COPY skip the services: the campaign's states are built as at the turn of
    # year (manage.py rebuild_campaign_state).
    from portail.common import clock
    from portail.rents.campaign_years import build_year
    from portail.rents.rules import campaign_year

    build_year(campaign_year(clock.today()))
    with connection.cursor() as cursor:
        # The steady state autovacuum keeps in production.
        cursor.execute("VACUUM ANALYZE" if postgresql else "ANALYZE")
    return user, portfolio, ids


def database_cpu_ns() -> int:
    """CPU time of the PostgreSQL backend of this process's connection (0 on SQLite: its work
    is this process's), from /proc/<pid>/schedstat."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    connection.ensure_connection()
    with open(f"/proc/{connection.connection.info.backend_pid}/schedstat") as stat:
        return int(stat.read().split()[0])
