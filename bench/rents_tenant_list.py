"""Benchmark: the tenant list of a 100,000-tenancy portfolio against a minimal Django view and a
trivial query, measured in the same run through the same Django stack (sessions, auth, CSRF).

    .venv/bin/python bench/rents_tenant_list.py [--tenancies 100000] [--requests 50]

Target (issue 5): at least 0.5 of the minimal view's requests per second. The database is
recreated. Each request is a full Django request (middleware, session, template).
"""

import argparse
import datetime
import statistics
import time

from rents_common import DEFAULT_URL, make_portfolio, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenancies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    setup_django(args.database_url)
    import time_machine
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    user, portfolio, _ids = make_portfolio(args.tenancies)
    version = connection.pg_version // 10000
    print(f"{args.tenancies:,} tenancies in one portfolio, PostgreSQL {version}")

    def minimal(request):
        return HttpResponse("ok")

    urlconf = type(
        "urls", (), {"urlpatterns": [path("minimal/", minimal), path("", include("config.urls"))]}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = time.time()
    session.save()
    base = f"/parcs/{portfolio.pk}/locataires/"
    cases = [
        ("minimal Django view", "/minimal/"),
        ("tenant list, first page", base),
        ("tenant list, page 1,000", base + "?page=1000"),
        ("tenant list, search by name", base + "?q=NOM123"),
        ("tenant list, search by number", base + "?q=8012345"),
        ("tenant list, status filter", base + "?statut=to_declare"),
        ("tenant list, sort by July 2025 rent", base + "?tri=-loyer_precedent"),
    ]
    with (
        override_settings(ROOT_URLCONF=urlconf),
        time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC), tick=True),
    ):
        trivial = _median(lambda: _select_one(connection), args.requests)
        print(f"{'trivial query (SELECT 1)':<38}: {trivial * 1000:8.2f} ms")
        results = {}
        for label, url in cases:
            assert client.get(url).status_code == 200, url
            results[label] = _median(lambda url=url: client.get(url), args.requests)
        reference = results["minimal Django view"]
        for label, seconds in results.items():
            print(
                f"{label:<38}: {seconds * 1000:8.2f} ms  {1 / seconds:8.1f} req/s  "
                f"ratio to minimal view {reference / seconds:.3f}  "
                f"(= {seconds / trivial:,.0f} x SELECT 1)"
            )


def _select_one(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _median(call, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main()
