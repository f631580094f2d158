"""Shared set-up of the rents benchmarks: a fresh PostgreSQL database with one landlord whose
portfolio holds N tenancies (all tenants since 2020, July 2025 rent known), loaded with COPY."""

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
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY portfolios_tenancy (recipient_number, portfolio_id, tenant_name, "
            "dwelling_address, start_date, direct_payment) FROM STDIN"
        ) as copy:
            for i in range(tenancies):
                copy.write_row(
                    (
                        str(8_000_000 + i),
                        portfolio.pk,
                        f"NOM{i % 997:03d} Prénom{i}",
                        f"{i % 200} rue de la Mesure, 13001 Marseille",
                        datetime.date(2020, 1 + i % 12, 1),
                        i % 2 == 0,
                    )
                )
        cursor.execute(
            "SELECT id, recipient_number FROM portfolios_tenancy WHERE portfolio_id = %s",
            [portfolio.pk],
        )
        ids = cursor.fetchall()
        with cursor.copy(
            "COPY rents_julyrent (tenancy_id, year, amount, source, recorded_at) FROM STDIN"
        ) as copy:
            for tenancy_id, number in ids:
                copy.write_row((tenancy_id, 2025, f"{500 + int(number) % 400}.00", "feed", now))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps in production
    return user, portfolio, ids
