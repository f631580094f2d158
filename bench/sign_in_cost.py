"""Benchmark: the CPU a sign-in costs beyond its Argon2 verification (issue 14, point 3).

    .venv/bin/python bench/sign_in_cost.py [--sign-ins 200] [--rounds 5]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_sign_in_cost]
        [--cache-url redis://127.0.0.1:6379/9] [--profile]

A sign-in as the load test makes it (loadtest/signins.py): a new visitor, without a cookie,
GETs the sign-in page, then POSTs its identifier, password and CSRF token, form-encoded as a
browser sends them, and gets its redirect. Each request goes through Django's WSGI handler in
this process, as a gunicorn worker calls it (the whole middleware chain, CSRF enforced, DEBUG
off), so neither HTTP, nginx nor the load generator is in the figure. Every sign-in is a
different landlord of a pool (their lock-out counters made by their first sign-in, as through
a campaign's first days: an earlier round signed them in once).

Counted per sign-in (GET + POST), median of the rounds:
- Django: this process's CPU, less the CPU spent inside the Argon2 verification itself (each
  verification is timed on the thread's CPU clock and subtracted: what is left is everything
  else the sign-in costs), and that verification's own CPU;
- database: the CPU of the PostgreSQL backend serving this process (/proc/<pid>/schedstat);
- cache: the CPU of the Redis server, when ``--cache-url`` is Redis on this machine;
- of the Django CPU, the page's (the GET);
- the statements run (without BEGIN, COMMIT, savepoints) and the commits.

``--profile`` prints cProfile's functions of one round on the CPU clock (the verification
shows as one line, ``argon2_verify``, to be read apart).
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rents_common import database_cpu_ns, setup_django  # noqa: E402

PASSWORD = "Banc-de-connexion-2026"  # noqa: S105 - a benchmark's throwaway password
FIRST_NUMBER = 900_000
SIGN_IN = "/compte/connexion/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=200, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_sign_in_cost"
    )
    parser.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/9")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.cache_url:
        os.environ["CACHE_URL"] = args.cache_url
    setup_django(args.database_url)
    from django.core.cache import cache

    cache.clear()
    identifiers = make_landlords(args.sign_ins)
    visitor = Visitor()
    for name in identifiers:  # every landlord's counters made; the process warm
        visitor.sign_in(name)
    print(
        f"{args.sign_ins} sign-ins a round, {args.rounds} rounds, {engine()}, cache "
        f"{args.cache_url or 'locmem'}, load average {os.getloadavg()[0]:.1f}"
    )
    if args.profile:
        profile(visitor, identifiers)
        return
    rounds = [measure(visitor, identifiers) for _ in range(args.rounds)]
    report(rounds)


def engine() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.pg_version // 10000}"
    return f"SQLite {connection.Database.sqlite_version}"


def make_landlords(count: int) -> list[str]:
    """``count`` landlords with an account each, all with the same password (hashed once)."""
    from django.contrib.auth.hashers import make_password

    from portail.accounts.models import Landlord, User
    from portail.accounts.rules import format_identifier

    encoded = make_password(PASSWORD)
    landlords = Landlord.objects.bulk_create(
        Landlord(
            ref=f"BENCH-{n}",
            kind="natural",
            name=f"Bailleur {n}",
            address_line1="1 rue du Banc",
            postcode="13001",
            city="Marseille",
        )
        for n in range(count)
    )
    users = User.objects.bulk_create(
        User(
            identifier=format_identifier(FIRST_NUMBER + n),
            user_number=f"{9_000_000_000 + n}",
            landlord=landlord,
            password=encoded,
            email=f"bailleur{n}@exemple.fr",
            email_confirmed=True,
        )
        for n, landlord in enumerate(landlords)
    )
    return [user.identifier for user in users]


class ArgonClock:
    """The thread CPU spent inside the configured hasher's verifications, and how many."""

    def __init__(self):
        from django.contrib.auth.hashers import get_hasher

        hasher_class = type(get_hasher())
        self.ns, self.count = 0, 0
        verify = hasher_class.verify

        def timed(hasher, password, encoded):
            start = time.thread_time_ns()
            try:
                return verify(hasher, password, encoded)
            finally:
                self.ns += time.thread_time_ns() - start
                self.count += 1

        hasher_class.verify = timed


class Visitor:
    """New visitors calling the WSGI application as a gunicorn worker does."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.application = WSGIHandler()
        self.argon2 = ArgonClock()
        self.page_ns = 0  # the CPU of the GETs (Django's; the page runs no statement)

    def _call(self, method: str, cookies: dict, body: bytes = b"") -> tuple[str, dict, bytes]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": SIGN_IN,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "testserver",
            "HTTP_USER_AGENT": "bench/sign_in_cost",
            "HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        response = self.application(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
        for name, value in answer["headers"]:
            if name == "Set-Cookie":
                key, _, rest = value.strip().partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return answer["status"], dict(answer["headers"]), content

    def sign_in(self, identifier: str) -> None:
        cookies: dict = {}
        start = time.process_time_ns()
        status, _headers, page = self._call("GET", cookies)
        self.page_ns += time.process_time_ns() - start
        assert status.startswith("200"), status
        marker = b'name="csrfmiddlewaretoken" value="'
        start = page.index(marker) + len(marker)
        token = page[start : page.index(b'"', start)].decode()
        body = urlencode(
            {"csrfmiddlewaretoken": token, "identifier": identifier, "password": PASSWORD}
        ).encode()
        status, headers, _ = self._call("POST", cookies, body)
        assert status.startswith("302"), (status, _)
        assert "sessionid" in cookies, headers


def _cache_cpu_ns() -> int:
    """The Redis server's CPU (user + system) when the cache is a Redis on this machine."""
    from django.core.cache import cache

    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return 0
    try:
        pid = client.get_client().info("server")["process_id"]
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def measure(visitor: Visitor, identifiers: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        visitor.sign_in(identifiers[0])
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    argon2_ns, argon2_count, page_ns = visitor.argon2.ns, visitor.argon2.count, visitor.page_ns
    database, cache, cpu = database_cpu_ns(), _cache_cpu_ns(), time.process_time_ns()
    for name in identifiers:
        visitor.sign_in(name)
    cpu = time.process_time_ns() - cpu
    database, cache = database_cpu_ns() - database, _cache_cpu_ns() - cache
    argon2 = visitor.argon2.ns - argon2_ns
    count = len(identifiers)
    assert visitor.argon2.count - argon2_count == count
    return {
        "django": (cpu - argon2) / count / 1e6,
        "database": database / count / 1e6,
        "cache": cache / count / 1e6,
        "argon2": argon2 / count / 1e6,
        "page": (visitor.page_ns - page_ns) / count / 1e6,
        "statements": len([s for s in statements if s not in TRANSACTION]),
        "commits": statements.count("COMMIT") + _autocommits(statements),
    }


TRANSACTION = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def _autocommits(statements: list[str]) -> int:
    """Statements outside BEGIN ... COMMIT: each is its own transaction (PostgreSQL)."""
    depth, alone = 0, 0
    for statement in statements:
        if statement == "BEGIN":
            depth += 1
        elif statement in ("COMMIT", "ROLLBACK"):
            depth -= 1
        elif depth == 0 and statement not in TRANSACTION:
            alone += 1
    return alone


def report(rounds: list[dict]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    beyond = [r["django"] + r["database"] + r["cache"] for r in rounds]
    argon2 = median("argon2")
    print(
        f"per sign-in (GET + POST), median of {len(rounds)} rounds: Django beyond Argon2 "
        f"{median('django'):.2f} ms, PostgreSQL {median('database'):.2f} ms, Redis "
        f"{median('cache'):.2f} ms; beyond Argon2 {statistics.median(beyond):.2f} ms "
        f"(rounds: {', '.join(f'{b:.2f}' for b in beyond)}); Argon2 {argon2:.2f} ms; "
        f"Argon2's share {argon2 / (argon2 + statistics.median(beyond)):.3f}"
    )
    print(f"of which the page (GET), Django: {median('page'):.2f} ms")
    print(
        f"statements {rounds[0]['statements']} (without transaction control), "
        f"commits {rounds[0]['commits']}; load average {os.getloadavg()[0]:.1f}"
    )


def profile(visitor: Visitor, identifiers: list[str]) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for name in identifiers:
        visitor.sign_in(name)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", ""), 100)
    stats.sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
