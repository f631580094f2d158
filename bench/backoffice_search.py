"""Benchmark: the back office's landlord search on 1,000,000 landlords (PostgreSQL).

    .venv/bin/python bench/backoffice_search.py [--landlords 1000000]
        [--database-url postgres://postgres@127.0.0.1:5432/backoffice_bench] [--keep]

Loads (COPY) a million landlords, each with one user, one portfolio and one tenancy, into a
database of its own (created, migrated, and dropped at the end unless --keep), then times the
search for each of the six keys (name prefix, SIRET, identifier, user number, e-mail, recipient
number): the median of 20 searches through ``find_landlords``, as the view runs it, and the
database's own execution time of its main query (EXPLAIN ANALYZE). The reference, measured in
the same run, is the trivial indexed primary-key query ``Landlord.objects.get(pk=...)``.
Target: under 100 ms per key.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = [
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFEBVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPONT",
    "LAMBERT",
    "FONTAINE",
    "ROUSSEAU",
    "VINCENT",
    "MULLER",
    "LEFEVRE",
    "FAURE",
    "ANDRE",
    "MERCIER",
    "BLANC",
    "GUERIN",
    "BOYER",
    "GARNIER",
    "CHEVALIER",
    "FRANCOIS",
    "LEGRAND",
    "GAUTHIER",
    "GARCIA",
    "PERRIN",
    "ROBIN",
    "CLEMENT",
    "MORIN",
    "NICOLAS",
    "HENRY",
    "ROUSSEL",
    "MATHIEU",
    "GAUTIER",
    "MASSON",
]
FIRST_NAMES = [
    "Marie",
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Alain",
    "Bernard",
    "Christophe",
    "Patrick",
    "Nicolas",
    "Sophie",
    "Daniel",
    "Martine",
    "Christine",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landlords", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/backoffice_bench"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    _create_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    assert connection.vendor == "postgresql", "this benchmark is for PostgreSQL"
    call_command("migrate", verbosity=0)
    try:
        start = time.perf_counter()
        samples = _load(connection, args.landlords)
        print(
            f"loaded {args.landlords:,} landlords, users, portfolios and tenancies with COPY "
            f"in {time.perf_counter() - start:.0f} s"
        )
        _measure(connection, samples)
    finally:
        connection.close()
        if not args.keep:
            _drop_database(args.database_url)


def _admin_dsn(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1), (
        parsed.path.lstrip("/")
    )


def _create_database(url: str) -> None:
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _siret(n: int) -> str:
    from stdnum import luhn

    siren = f"{n:08d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _load(connection, count: int) -> dict:
    """COPY the rows; return one landlord's keys to search for, from the middle of the data."""
    from portail.accounts import rules

    rng = random.Random(42)
    now = "2026-11-27 10:00:00+00"
    target = count // 2 + 7
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        django_cursor.execute("SELECT 1")

        def landlords():
            for n in range(1, count + 1):
                legal = n % 10 == 0
                name = (
                    f"SCI {rng.choice(SURNAMES)} {n}"
                    if legal
                    else f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}"
                )
                yield (
                    n,
                    f"B{n:08d}",
                    "legal" if legal else "natural",
                    name,
                    _siret(n) if legal else "",
                    f"bailleur{n}@exemple.fr",
                    f"{n % 200} rue des Lilas",
                    "",
                    "13001",
                    "Marseille",
                    now,
                    now,
                )

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
            landlords(),
        )

        def users():
            for n in range(1, count + 1):
                yield (
                    n,
                    "!",
                    rules.format_identifier(n % 1_000_000),
                    rules.format_user_number(n),
                    n,
                    "",
                    f"Utilisateur.{n}@Exemple.fr",
                    n % 10 == 0,
                    True,
                    False,
                    now,
                    True,
                    "email",
                    False,
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
            ],
            users(),
        )
        _copy(
            cursor,
            "portfolios_portfolio",
            ["id", "ref", "landlord_id", "name"],
            ((n, f"P{n:08d}", n, "Mes logements") for n in range(1, count + 1)),
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
            (
                (
                    n,
                    f"{9_000_000 + n}",
                    n,
                    f"Locataire {n}",
                    "3 rue Victor Hugo",
                    "2020-01-01",
                    False,
                )
                for n in range(1, count + 1)
            ),
        )
        for table in (
            "accounts_landlord",
            "accounts_user",
            "portfolios_portfolio",
            "portfolios_tenancy",
        ):
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count})"
            )
            django_cursor.execute(f"ANALYZE {table}")
        django_cursor.execute("SELECT name FROM accounts_landlord WHERE id = %s", [target])
        (name,) = django_cursor.fetchone()
    legal = target - target % 10 or 10
    return {
        "name (prefix)": name.split()[0][:5].lower(),
        "SIRET": _siret(legal),
        "identifier": rules.format_identifier(target % 1_000_000),
        "user number": rules.display_user_number(rules.format_user_number(target)),
        "e-mail": f"utilisateur.{target}@exemple.fr",
        "recipient number": f"{9_000_000 + target}",
    }


def _median_ms(function, runs: int = 20) -> float:
    function()  # warm the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _server_ms(connection, queryset) -> float:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return plan["Execution Time"]


def _measure(connection, samples: dict) -> None:
    from portail.accounts.models import Landlord
    from portail.backoffice import search

    pk = Landlord.objects.order_by("-pk").values_list("pk", flat=True).first() // 3
    reference = _median_ms(lambda: Landlord.objects.get(pk=pk))
    reference_server = _server_ms(connection, Landlord.objects.filter(pk=pk))
    print(
        f"reference, Landlord.objects.get(pk=...): {reference:7.2f} ms  "
        f"(server {reference_server:.3f} ms)"
    )
    print(f"{'key':<17} {'typed':<32} {'found':>5} {'search':>9} {'x ref':>7} {'server':>9}")
    worst = 0.0
    for label, typed in samples.items():
        result = search.find_landlords(typed)
        elapsed = _median_ms(lambda typed=typed: search.find_landlords(typed))
        server = 0.0
        for key in result.keys:
            ordering = ("name_upper", "pk") if key.kind == search.NAME else ("name", "pk")
            queryset = search.landlords_for_key(key).order_by(*ordering)[: search.LIMIT]
            server += _server_ms(connection, queryset)
        worst = max(worst, elapsed)
        print(
            f"{label:<17} {typed:<32} {len(result.landlords):>5} {elapsed:7.2f} ms "
            f"{elapsed / reference:6.1f}x {server:7.3f} ms"
        )
    print(f"slowest key: {worst:.2f} ms ({'under' if worst < 100 else 'OVER'} the 100 ms target)")


if __name__ == "__main__":
    main()
