"""Benchmark: the tenant list of a 100,000-tenancy portfolio served by the production server
(gunicorn, 2 sync workers, DEBUG off, PostgreSQL or SQLite) against a cheap page of the same
server, and its slow paths against its own first page.

    .venv/bin/python bench/rents_tenant_list.py [--tenancies 100000] [--requests 400]
        [--database-url sqlite:///tmp/bench_rents.sqlite3]

Targets: the first page at least 0.5 of the minimal view's requests per second (issue 5);
against the first page in the same run (issue 14, point 6), page 1,000 reached by "Page
suivante" (keyset) >= 0.8, a sort by a July rent and a filter by status >= 0.3 (they read the
campaign's kept states on an index). Page 1,000 by its number (OFFSET) is printed for
comparison. The app holds no
bench-only view: the reference "minimal Django view" is the public contact page
(`/conseils/contact/`, no query, the site layout), measured through the same gunicorn, the same
middleware (sessions, auth, CSRF, CSP) and the same loopback; twice: anonymous, and signed in
with the list's own session cookie (then it pays what every signed-in page pays: the session,
the user and the header's portfolios, three queries). Both ratios are printed. The database
is recreated. The load comes from our own bounded generator: a few threads, each with its own
http.client connection on 127.0.0.1, a fixed number of requests and a time limit per case.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

from rents_common import DEFAULT_URL, ROOT, make_portfolio, setup_django

THREADS = 4  # two per gunicorn worker: one request queued while the other is served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenancies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="per case")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--rounds", type=int, default=3, help="median of the rounds")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    user, portfolio, _ids = make_portfolio(args.tenancies)
    if connection.vendor == "postgresql":
        engine = f"PostgreSQL {connection.pg_version // 10000}"
    else:
        engine = f"SQLite {connection.Database.sqlite_version}"
    print(f"{args.tenancies:,} tenancies in one portfolio, {engine}")
    deep = _keyset_address(portfolio, rows_before=min(49_950, args.tenancies // 100 * 50))

    client = Client()  # only to open a session in the database; requests go over HTTP
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = time.time()
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    connection.close()

    base = f"/parcs/{portfolio.pk}/locataires/"
    cases = [
        ("minimal view: /conseils/contact/", "/conseils/contact/", None),
        ("same, signed in (same session)", "/conseils/contact/", cookie),
        ("tenant list, first page", base, cookie),
        ("tenant list, page 1,000 (Page suivante)", base + deep, cookie),
        ("tenant list, page 1,000 (?page=1000)", base + "?page=1000", cookie),
        ("tenant list, search by name", base + "?q=NOM123", cookie),
        ("tenant list, sort by July 2025 rent", base + "?tri=-loyer_precedent", cookie),
        ("tenant list, sort by July 2026 rent", base + "?tri=loyer", cookie),
        ("tenant list, filter 'to declare'", base + "?statut=to_declare", cookie),
        ("tenant list, filter 'declared'", base + "?statut=declared", cookie),
    ]
    first_page = cases[2][0]
    port = _free_port()
    server = _start_gunicorn(port)
    try:
        _wait_ready(port, server)
        print(f"gunicorn {_gunicorn_version()}, 2 sync workers on 127.0.0.1:{port}, DEBUG off")
        print(
            f"load: {THREADS} threads, {args.requests} requests or {args.time_limit:.0f} s a case, "
            f"median of {args.rounds} rounds"
        )
        for _label, url, case_cookie in cases:
            status = _get(
                http.client.HTTPConnection("127.0.0.1", port, timeout=30), url, case_cookie
            )
            assert status == 200, (url, status)
            _load(port, url, case_cookie, THREADS * 2, 10.0)  # warm both workers
        # The cases alternate round after round, so a busy moment of the machine weighs on all.
        rates = {label: [] for label, _, _ in cases}
        for _ in range(args.rounds):
            for label, url, case_cookie in cases:
                rates[label].append(_load(port, url, case_cookie, args.requests, args.time_limit))
        results = {label: statistics.median(values) for label, values in rates.items()}
        anonymous, signed_in = results[cases[0][0]], results[cases[1][0]]
        first = results[first_page]
        print(
            f"{'case':<42}  {'req/s':>8}  {'ratio':>5}  {'signed-in':>9}  {'/ page 1':>8}  rounds"
        )
        for label, rate in results.items():
            print(
                f"{label:<42}: {rate:8.1f}  {rate / anonymous:5.3f}  {rate / signed_in:9.3f}  "
                f"{rate / first:8.3f}  ({', '.join(f'{r:.1f}' for r in rates[label])})"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _keyset_address(portfolio, *, rows_before: int) -> str:
    """The address "Page suivante" leads to after `rows_before` rows in the default order (page
    1,000 after 49,950 rows): the cursor of the last row before it, as the list writes it."""
    from portail.portfolios.models import Tenancy
    from portail.rents.tenant_pages import encode_cursor

    name, number = (
        Tenancy.objects.filter(portfolio=portfolio)
        .order_by("tenant_name", "recipient_number")
        .values_list("tenant_name", "recipient_number")[rows_before - 1]
    )
    page = rows_before // 50 + 1
    return f"?apres={encode_cursor('nom', [name, number])}&page={page}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )  # DATABASE_URL, SECRET_KEY and MEDIA_ROOT come from setup_django
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2"]
    command += ["--worker-class", "sync", "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "--timeout", "60"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _gunicorn_version() -> str:
    import gunicorn

    return gunicorn.__version__


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not listen within 30 s")


def _get(conn: http.client.HTTPConnection, url: str, cookie: str | None) -> int:
    headers = {"Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _load(port: int, url: str, cookie: str | None, count: int, time_limit: float) -> float:
    """Requests per second over `count` requests (or fewer if `time_limit` runs out)."""
    lock = threading.Lock()
    remaining = [count]
    done = [0]
    errors = []
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        # http.client reconnects by itself when the server closes (gunicorn's sync workers do).
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                status = _get(conn, url, cookie)
                if status >= 500:
                    errors.append(status)
                    return
                with lock:
                    done[0] += 1
        finally:
            conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{url}: server errors {errors}")
    return done[0] / elapsed


if __name__ == "__main__":
    main()
