"""The load test's database: 100,000 landlords as the feed describes them, loaded with COPY.

    .venv/bin/python -m loadtest.dataset --database-url postgres://postgres@127.0.0.1:5440/svc_load

Recreates the database, migrates, then loads: LANDLORDS landlords (one in ten a company), each
with its user (all share one Argon2 hash of ``PASSWORD``, confirmed e-mail), one portfolio;
the first BIG landlords hold 10,000 tenancies each, the others 1 to 12; every tenancy has its
July 2025 rent from the feed except one in fifty (a receipt is asked); the 2026 campaign is
open, its kept states built; STAFF agents with a TOTP device whose key the load test knows;
RECEIPTS receipts waiting for validation. The rows follow the feed's shapes (portail/feed) but
skip its per-row checks, which bench/import_feed.py measures on their own.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Campagne-de-charge-2026"  # noqa: S105 - load-test accounts only
BIG_PORTFOLIO = 10_000
STAFF_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's test key
SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def tenancies_of(n: int, big: int) -> int:
    """How many tenancies landlord n holds."""
    return BIG_PORTFOLIO if n <= big else 1 + (n * 7) % 12


def setup_django(database_url: str, *, recreate: bool, media_root: str) -> None:
    import psycopg

    if recreate:
        name = database_url.rsplit("/", 1)[1]
        with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        DATABASE_URL=database_url, DEBUG="false", LOG_LEVEL="WARNING", MEDIA_ROOT=media_root
    )
    os.environ.setdefault("SECRET_KEY", "load-" + os.urandom(8).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(*, landlords: int, big: int, staff: int, receipts: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from portail.accounts import rules

    now = datetime.datetime.now(tz=datetime.UTC)
    password = make_password(PASSWORD)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        _copy(
            cursor,
            "accounts_landlord",
            [
                "id",
                "ref",
                "kind",
                "name",
                "siret",
                "email",
                "address_line1",
                "address_line2",
                "postcode",
                "city",
                "created_at",
                "updated_at",
            ],
            (
                (
                    n,
                    f"B{n:08d}",
                    "legal" if n % 10 == 0 else "natural",
                    f"SCI Bailleur {n}" if n % 10 == 0 else f"BAILLEUR{n % 997} Prénom{n}",
                    _siret(n) if n % 10 == 0 else "",
                    f"bailleur{n}@exemple.fr",
                    f"{n % 200} rue des Lilas",
                    "",
                    "13001",
                    "Marseille",
                    now,
                    now,
                )
                for n in range(1, landlords + 1)
            ),
        )
        _copy(
            cursor,
            "accounts_user",
            [
                "id",
                "password",
                "identifier",
                "user_number",
                "landlord_id",
                "full_name",
                "email",
                "is_landlord_admin",
                "is_active",
                "is_staff",
                "date_joined",
                "email_confirmed",
                "first_credentials_channel",
                "is_superuser",
                "session_generation",
            ],
            (
                (
                    n,
                    password,
                    rules.format_identifier(n),
                    rules.format_user_number(n),
                    n,
                    "",
                    f"bailleur{n}@exemple.fr",
                    n % 10 == 0,
                    True,
                    False,
                    now,
                    True,
                    "email",
                    False,
                    0,
                )
                for n in range(1, landlords + 1)
            ),
        )
        _copy(
            cursor,
            "portfolios_portfolio",
            ["id", "ref", "landlord_id", "name"],
            ((n, f"P{n:08d}", n, "Mes logements") for n in range(1, landlords + 1)),
        )

        def tenancies():
            tid = 0
            for n in range(1, landlords + 1):
                for i in range(tenancies_of(n, big)):
                    tid += 1
                    yield (
                        tid,
                        f"{10_000_000 + tid}",
                        n,
                        f"LOCATAIRE{tid % 991} Prénom{i}",
                        f"{i % 300} avenue de la Charge, 13001 Marseille",
                        datetime.date(2015 + tid % 10, 1 + tid % 12, 1),
                        tid % 2 == 0,
                    )

        _copy(
            cursor,
            "portfolios_tenancy",
            [
                "id",
                "recipient_number",
                "portfolio_id",
                "tenant_name",
                "dwelling_address",
                "start_date",
                "direct_payment",
            ],
            tenancies(),
        )
        django_cursor.execute("SELECT max(id) FROM portfolios_tenancy")
        (total,) = django_cursor.fetchone()
        _copy(
            cursor,
            "rents_julyrent",
            ["tenancy_id", "year", "amount", "source", "recorded_at"],
            (
                (t, 2025, f"{450 + t % 500}.00", "feed", now)
                for t in range(1, total + 1)
                if t % 50 != 0
            ),
        )
        for table in (
            "accounts_landlord",
            "accounts_user",
            "portfolios_portfolio",
            "portfolios_tenancy",
        ):
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    _campaign_staff_receipts(staff=staff, receipts=receipts, total=total)
    # Rows written by COPY skip the services: the campaign's kept states and counts (the tenant
    # list's filters and sorts, "Mes parcs" and the tenant list's totals) are built as at the
    # turn of year (manage.py rebuild_campaign_state).
    from portail.common import clock
    from portail.rents.campaign_years import build_year
    from portail.rents.rules import campaign_year

    build_year(campaign_year(clock.today()))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"landlords": landlords, "tenancies": total}


def _siret(n: int) -> str:
    from stdnum import luhn

    siren = f"{n:08d}" + luhn.calc_check_digit(f"{n:08d}")
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def _campaign_staff_receipts(*, staff: int, receipts: int, total: int) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portail.accounts.models import User
    from portail.backoffice.management.commands.create_staff import (
        PASSWORD_VARIABLE as STAFF_PASSWORD_VARIABLE,
    )
    from portail.rents.models import Receipt, RentCampaign

    RentCampaign.objects.update_or_create(
        year=2026,
        defaults={"opens_on": datetime.date(2026, 7, 1), "closes_on": datetime.date(2027, 1, 15)},
    )
    for n in range(1, staff + 1):
        os.environ[STAFF_PASSWORD_VARIABLE] = PASSWORD
        with open(os.devnull, "w") as quiet:
            call_command(
                "create_staff", f"agent.charge{n}", role="agent", no_input=True, stdout=quiet
            )
        user = User.objects.get(identifier=f"agent.charge{n}")
        TOTPDevice.objects.create(user=user, name="charge", key=STAFF_KEY_HEX, confirmed=True)
    folder = Path(settings.MEDIA_ROOT) / "quittances"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "charge.pdf").write_bytes(SMALL_PDF)
    Receipt.objects.bulk_create(
        Receipt(
            tenancy_id=t,
            year=2025,
            amount="600.00",
            file="quittances/charge.pdf",
            content_type="application/pdf",
            submitted_by_id=1 + t % 1000,
        )
        for t in range(50, min(total, 50 * (receipts + 1)), 50)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5440/svc_load")
    parser.add_argument("--landlords", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=20, help="landlords with 10,000 tenancies")
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--receipts", type=int, default=3_000)
    parser.add_argument("--media-root", default=str(ROOT / "var" / "load" / "media"))
    args = parser.parse_args()
    start = time.perf_counter()
    setup_django(args.database_url, recreate=True, media_root=args.media_root)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    counts = load(landlords=args.landlords, big=args.big, staff=args.staff, receipts=args.receipts)
    print(
        f"loaded {counts['landlords']:,} landlords and {counts['tenancies']:,} tenancies "
        f"in {time.perf_counter() - start:.0f} s ({args.database_url})"
    )


if __name__ == "__main__":
    main()
