"""Benchmark: the API served by the production server (gunicorn, 2 sync workers, DEBUG off,
PostgreSQL), in one run:

1. declaring July rents through the API (POST …/july-rent with an Idempotency-Key, one
   tenancy per request) against its minimal endpoint (GET /token: the same token check,
   nothing else). Target (issue 15): at least 0.5.
2. a 100,000-line file of rents through the API (deposit, poll, record, poll) against the same
   file through the screen (the deposit form, the progress, the record form), both with the
   background worker (manage.py db_worker) the portal runs. Target: a ratio of about 1.

    .venv/bin/python bench/api.py [--requests 300] [--lines 100000] [--database-url URL]

The database is recreated (default: the `api` database), the campaign's states built for
every portfolio (a declaration and a file change states, as in production). Load: our own
bounded generator (4 threads, each with its own http.client connection, a fixed count and a
time limit per case, median of alternating rounds), as bench/rents_tenant_list.py does. Each
case also prints the CPU a request costs the server (gunicorn workers and PostgreSQL backends,
read from /proc): on a shared machine it moves less than requests per second.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid

from rents_common import ROOT, make_portfolio, setup_django
from rents_tenant_list import _free_port, _gunicorn_version, _wait_ready

THREADS = 4
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/api"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per case and round")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    os.environ["API_RATE_LIMIT_PER_MINUTE"] = "1000000"
    setup_django(args.database_url)
    from django.db import connection

    from portail.api.services import create_token

    user, screen_portfolio, screen_ids = make_portfolio(args.lines)
    api_portfolio, api_ids = _add_portfolio(user.landlord, "BENCH-B", args.lines, 20_000_000)
    declare_count = args.requests * (args.rounds + 1) + THREADS * 4
    declared_portfolio, declared_ids = _add_portfolio(
        user.landlord, "BENCH-C", declare_count, 40_000_000
    )
    # Their campaign states, as the turn of year builds them (make_portfolio built the first
    # portfolio's): a declaration and a file then change states, as in production.
    from portail.rents.campaign_years import build_year

    build_year(_campaign_year())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from portail.common import clock

    _token, clear = create_token(
        user=user,
        name="Banc",
        can_declare=True,
        portfolio_ids=[screen_portfolio.pk, api_portfolio.pk, declared_portfolio.pk],
        expires_on=clock.today() + datetime.timedelta(days=365),
        ip=None,
    )
    cookie = _session_cookie(user)
    print(f"PostgreSQL {connection.pg_version // 10000}; campaign year {_campaign_year()}")
    connection.close()

    port = _free_port()
    server = _start(
        port,
        [
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "300",
        ],
        # The portal's settings and URLs, and the second reference's endpoint (POST
        # /bench/write): bench/api_reference_urls.py.
        settings="api_reference_settings",
    )
    # A worker per task queue the files use (the files' own, and webhooks on the default one),
    # as scripts/serve.sh runs them.
    workers = [
        _start(port, ["manage.py", "db_worker", "--interval", "0.2", "--queue-name", queue])
        for queue in ("files", "default")
    ]
    try:
        _wait_ready(port, server)
        print(
            f"gunicorn {_gunicorn_version()}, 2 sync workers; db_worker files, default; DEBUG off"
        )
        cpu = _ServerCpu(server.pid, args.database_url)
        _declarations(port, clear, declared_portfolio.pk, [n for _, n in declared_ids], args, cpu)
        _files(port, clear, cookie, screen_portfolio.pk, api_portfolio.pk, screen_ids, api_ids)
    finally:
        for process in (server, *workers):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _campaign_year() -> int:
    from portail.common import clock
    from portail.rents import rules

    return rules.campaign_year(clock.today())


def _add_portfolio(landlord, ref: str, tenancies: int, first_number: int):
    """Another portfolio of the landlord, its tenancies (July N-1 rent known) by COPY."""
    from django.db import connection, transaction

    from portail.portfolios.models import Portfolio

    portfolio = Portfolio.objects.create(ref=ref, landlord=landlord, name=f"Parc {ref}")
    now = datetime.datetime.now(tz=datetime.UTC)
    year = _campaign_year()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY portfolios_tenancy (recipient_number, portfolio_id, tenant_name, "
            "dwelling_address, start_date, direct_payment) FROM STDIN"
        ) as copy:
            for i in range(tenancies):
                copy.write_row(
                    (
                        str(first_number + i),
                        portfolio.pk,
                        f"NOM{i % 997:03d} Prénom{i}",
                        "1 rue de la Mesure",
                        datetime.date(2020, 1, 1),
                        False,
                    )
                )
        cursor.execute(
            "SELECT id, recipient_number FROM portfolios_tenancy WHERE portfolio_id = %s "
            "ORDER BY recipient_number",
            [portfolio.pk],
        )
        ids = cursor.fetchall()
        with cursor.copy(
            "COPY rents_julyrent (tenancy_id, year, amount, source, recorded_at) FROM STDIN"
        ) as copy:
            for tenancy_id, number in ids:  # as rents_common.make_portfolio's
                copy.write_row((tenancy_id, year - 1, f"{500 + int(number) % 400}.00", "feed", now))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return portfolio, ids


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = time.time()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _start(port: int, arguments: list[str], settings: str = "config.settings") -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE=settings,
        PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    )
    return subprocess.Popen([sys.executable, *arguments], cwd=ROOT, env=env)


# --- 1. Declarations against the minimal endpoint ------------------------------------------


class _ServerCpu:
    """CPU time the server spends, read from /proc: the gunicorn workers and the PostgreSQL
    backends of the benchmark's database (the task workers' idle polling included, a few ms a
    second). Divided by the requests of a case, it does not depend on what else the shared
    machine runs, as requests per second do."""

    def __init__(self, server_pid: int, database_url: str):
        self.server_pid = server_pid
        self.database_url = database_url

    def pids(self) -> tuple[list[int], list[int]]:
        import psycopg

        children = f"/proc/{self.server_pid}/task/{self.server_pid}/children"
        with open(children) as file:
            web = [int(pid) for pid in file.read().split()]
        with psycopg.connect(self.database_url) as conn:
            database = [
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ]
        return web, database

    def seconds(self, pids: tuple[list[int], list[int]]) -> tuple[float, float]:
        return tuple(sum(_cpu_of(pid) for pid in group) for group in pids)


def _cpu_of(pid: int) -> float:
    """User and system CPU seconds of a process (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _declarations(
    port: int, clear: str, portfolio_id: int, numbers: list[str], args, cpu: "_ServerCpu"
) -> None:
    auth = {"Authorization": f"Bearer {clear}"}
    year = _campaign_year()
    numbers = iter(numbers)
    lock = threading.Lock()

    def minimal(conn):
        return _request(conn, "GET", "/api/v1/token", auth)

    def declare(conn):
        with lock:
            number = next(numbers)
        body = json.dumps({"year": year, "amount": "612.00", "confirmed": True}).encode()
        headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        path = f"/api/v1/portfolios/{portfolio_id}/tenancies/{number}/july-rent"
        return _request(conn, "POST", path, headers, body, expect=201)

    def write(conn):
        return _request(conn, "POST", "/bench/write", auth, b"")

    cases = {
        "minimal endpoint GET /token": minimal,
        "minimal write POST /bench/write": write,
        "declare a July rent (POST)": declare,
    }
    for call in cases.values():
        _load(port, call, THREADS, 10.0)  # warm both workers and their connections
    rates = {label: [] for label in cases}
    spent = {label: [] for label in cases}  # (web, database) CPU seconds a request, per round
    for _ in range(args.rounds):
        for label, call in cases.items():
            pids = cpu.pids()
            before = cpu.seconds(pids)
            rate, done = _load(port, call, args.requests, args.time_limit)
            after = cpu.seconds(pids)
            rates[label].append(rate)
            spent[label].append(tuple((a - b) / done for a, b in zip(after, before, strict=True)))
    results = {label: statistics.median(values) for label, values in rates.items()}
    reference = results["minimal endpoint GET /token"]
    print(f"load: {THREADS} threads, {args.requests} requests a case, median of {args.rounds}")
    for label, rate in results.items():
        print(
            f"{label:<32}: {rate:8.1f} req/s  ratio {rate / reference:5.3f}  "
            f"({', '.join(f'{r:.1f}' for r in rates[label])})"
        )
    used = {
        label: tuple(statistics.median(r[i] for r in rounds) * 1000 for i in (0, 1))
        for label, rounds in spent.items()
    }
    for label, (web, database) in used.items():
        print(f"{label:<32}: CPU a request {web:5.2f} ms web + {database:5.2f} ms database")
    declaring = results["declare a July rent (POST)"]
    cpu_declaring = sum(used["declare a July rent (POST)"])
    print(
        "in CPU a request (web + database), declaring against the minimal endpoint: "
        f"{sum(used['minimal endpoint GET /token']) / cpu_declaring:.3f}, against the minimal "
        f"write: {sum(used['minimal write POST /bench/write']) / cpu_declaring:.3f}"
    )
    print(
        f"declaring / minimal write (one row, durable commit): "
        f"{declaring / results['minimal write POST /bench/write']:.3f}"
    )
    print(f"declaring / minimal endpoint: {declaring / reference:.3f}  (target >= 0.5)")


def _request(conn, method, path, headers, body=None, expect=200) -> int:
    conn.request(method, path, body=body, headers={"Connection": "keep-alive", **headers})
    response = conn.getresponse()
    content = response.read()
    if response.status != expect:
        raise SystemExit(f"{method} {path}: {response.status} {content[:300]!r}")
    return response.status


def _load(port: int, call, count: int, time_limit: float) -> tuple[float, int]:
    """(requests per second, requests done) of ``count`` calls by THREADS threads."""
    lock = threading.Lock()
    remaining, done, errors = [count], [0], []
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                try:
                    call(conn)
                except SystemExit as error:
                    errors.append(str(error))
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
    if errors:
        raise SystemExit(errors[0])
    return done[0] / (time.perf_counter() - start), done[0]


# --- 2. A 100,000-line file: the API against the screen ------------------------------------


def _file_content(ids) -> bytes:
    lines = [f"{number};{500 + int(number) % 400},50" for _, number in ids]
    # No header line: the limit (100,000) counts every line of the file.
    return ("\n".join(lines) + "\n").encode()


def _multipart(name: str, filename: str, content: bytes, fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        "\r\nContent-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


POLL_SECONDS = 0.5  # both paths poll as often: the progress page, the file's URL


def _wait_status(bulk_id: int, statuses: set[str], conn, page: str, cookie: str) -> str:
    """Poll the file's progress page as the browser does, until the file reaches a status."""
    from django.db import connection

    from portail.rents.models import BulkImport

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        conn.request("GET", page, headers={"Cookie": cookie})
        conn.getresponse().read()
        status = BulkImport.objects.filter(pk=bulk_id).values_list("status", flat=True).first()
        connection.close()
        if status in statuses:
            return status
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"file {bulk_id} still not {statuses}")


def _through_screen(port: int, cookie: str, portfolio_id: int, content: bytes) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    page = f"/parcs/{portfolio_id}/depots/"
    conn.request("GET", page, headers={"Cookie": cookie})
    response = conn.getresponse()
    html = response.read().decode()
    csrf_cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookies = f"{cookie}; {csrf_cookie}" if csrf_cookie else cookie
    body, content_type = _multipart("file", "loyers.csv", content, {"csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        page,
        body=body,
        headers={
            "Cookie": cookies,
            "Content-Type": content_type,
            "Referer": f"http://127.0.0.1:{port}{page}",
        },
    )
    response = conn.getresponse()
    answer = response.read()
    location = response.getheader("Location")
    if response.status != 302 or not location:
        raise SystemExit(f"deposit through the screen: {response.status} {answer[:2000]!r}")
    bulk_id = int(re.search(r"/depots/(\d+)/", location).group(1))
    progress = f"/parcs/{portfolio_id}/depots/{bulk_id}/"
    _wait_status(bulk_id, {"checked"}, conn, progress, cookies)
    record = f"/parcs/{portfolio_id}/depots/{bulk_id}/enregistrer/"
    form = f"csrfmiddlewaretoken={token}&confirmed=on".encode()
    conn.request(
        "POST",
        record,
        body=form,
        headers={
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}{record}",
        },
    )
    conn.getresponse().read()
    _wait_status(bulk_id, {"recorded"}, conn, progress, cookies)
    conn.close()
    return time.perf_counter() - start


def _through_api(port: int, clear: str, portfolio_id: int, content: bytes) -> float:
    auth = {"Authorization": f"Bearer {clear}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    body, content_type = _multipart("file", "loyers.csv", content, {})
    conn.request(
        "POST",
        f"/api/v1/portfolios/{portfolio_id}/files",
        body=body,
        headers={**auth, "Content-Type": content_type},
    )
    response = conn.getresponse()
    deposited = json.loads(response.read())
    assert response.status == 202, deposited
    url = deposited["url"]
    while True:  # poll as software does
        conn.request("GET", url, headers=auth)
        state = json.loads(conn.getresponse().read())
        if state["status"] != "checking":
            break
        time.sleep(POLL_SECONDS)
    assert state["status"] == "checked" and state["error_lines"] == 0, state
    conn.request(
        "POST",
        f"{url}/record",
        body=b'{"confirmed": true}',
        headers={**auth, "Content-Type": "application/json"},
    )
    conn.getresponse().read()
    while state["status"] != "recorded":
        conn.request("GET", url, headers=auth)
        state = json.loads(conn.getresponse().read())
        if state["status"] != "recorded":
            time.sleep(POLL_SECONDS)
    conn.close()
    return time.perf_counter() - start


def _files(port, clear, cookie, screen_portfolio_id, api_portfolio_id, screen_ids, api_ids):
    screen = _through_screen(port, cookie, screen_portfolio_id, _file_content(screen_ids))
    api = _through_api(port, clear, api_portfolio_id, _file_content(api_ids))
    lines = len(api_ids)
    print(
        f"file of {lines:,} lines through the screen (deposit, check, record): {screen:6.2f} s"
        f" {lines / screen:9,.0f} lines/s"
    )
    print(
        f"file of {lines:,} lines through the API (deposit, poll, record, poll):  {api:6.2f} s"
        f" {lines / api:9,.0f} lines/s"
    )
    print(f"API / screen: {screen / api:.3f}  (target about 1)")


if __name__ == "__main__":
    main()
