"""Benchmark: the "Paiements" page of a 100,000-tenancy portfolio (a year of direct payments,
1.2 million rows) against the tenant list of the same portfolio, served alike (gunicorn,
2 sync workers, DEBUG off, PostgreSQL), by the method of bench/rents_tenant_list.py.

    .venv/bin/python bench/payments_page.py [--tenancies 100000] [--requests 400]

Target (issue 13): as fast as the tenant list. Printed per case: requests per second, the
ratio to the public contact page (no query) and to the tenant list's first page, measured in
the same rounds through the same server and loopback.
"""

import argparse
import datetime
import http.client
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rents_common import make_portfolio, setup_django  # noqa: E402
from rents_tenant_list import (  # noqa: E402
    THREADS,
    _free_port,
    _get,
    _load,
    _start_gunicorn,
    _wait_ready,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pay_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenancies", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=400, help="per case")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--rounds", type=int, default=3, help="median of the rounds")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    user, portfolio, ids = make_portfolio(args.tenancies)
    _pay(portfolio, ids, args.months)
    print(
        f"{args.tenancies:,} tenancies in one portfolio, {args.tenancies * args.months:,} "
        f"payments, PostgreSQL {connection.pg_version // 10000}"
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = time.time()
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    connection.close()

    tenants = f"/parcs/{portfolio.pk}/locataires/"
    payments = f"/parcs/{portfolio.pk}/paiements/"
    cases = [
        ("minimal view: /conseils/contact/", "/conseils/contact/", None),
        ("tenant list, first page", tenants, cookie),
        ("tenant list, page 1,000", tenants + "?page=1000", cookie),
        ("payments, latest month, first page", payments, cookie),
        ("payments, a month, page 1,000", payments + "?mois=2025-06&page=1000", cookie),
        ("payments, search by number", payments + "?q=80012", cookie),
    ]
    port = _free_port()
    server = _start_gunicorn(port)
    try:
        _wait_ready(port, server)
        print(
            f"load: {THREADS} threads, {args.requests} requests or {args.time_limit:.0f} s a case"
        )
        for _label, url, case_cookie in cases:
            # The workers' first requests import and compile: a long wait on a busy machine.
            status = _get(
                http.client.HTTPConnection("127.0.0.1", port, timeout=300), url, case_cookie
            )
            assert status == 200, (url, status)
            _load(port, url, case_cookie, THREADS * 2, 10.0)
        rates = {label: [] for label, _, _ in cases}
        for _ in range(args.rounds):
            for label, url, case_cookie in cases:
                rates[label].append(_load(port, url, case_cookie, args.requests, args.time_limit))
        results = {label: statistics.median(values) for label, values in rates.items()}
        minimal, tenant_list = results[cases[0][0]], results[cases[1][0]]
        print(f"{'case':<38}  {'req/s':>8}  {'/minimal':>8}  {'/tenant list':>12}  rounds")
        for label, rate in results.items():
            print(
                f"{label:<38}: {rate:8.1f}  {rate / minimal:8.3f}  {rate / tenant_list:12.3f}  "
                f"({', '.join(f'{r:.1f}' for r in rates[label])})"
            )
    finally:
        server.terminate()
        server.wait(timeout=15)


def _pay(portfolio, ids, months: int) -> None:
    """A payment a month for each tenancy over ``months`` months up to December 2025 (COPY),
    then the monthly totals as the feed leaves them."""
    from django.db import connection, transaction

    from portail.payments.services import refresh_month_totals

    periods = [datetime.date(2025, 12 - m, 1) for m in range(months)]
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY payments_payment (reference, tenancy_id, portfolio_id, recipient_number, "
            "period, amount, paid_on) FROM STDIN"
        ) as copy:
            for period in sorted(periods):
                for tenancy_id, number in sorted(ids, key=lambda row: row[1]):
                    copy.write_row(
                        (
                            f"V{number}{period:%Y%m}",
                            tenancy_id,
                            portfolio.pk,
                            number,
                            period,
                            f"{100 + int(number) % 300}.00",
                            period + datetime.timedelta(days=35),
                        )
                    )
        refresh_month_totals(months=[(portfolio.pk, period) for period in periods])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
