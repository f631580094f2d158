"""Sign-ins per second on 2 cores against the Argon2id limit measured in the same run.

    .venv/bin/python bench/sign_in.py [--seconds 5] [--workers 2]

1. Argon2id cost: one hash (= one verification) with the portal's parameters and with
   Django's defaults, in milliseconds.
2. The limit: verifications per second with N processes doing nothing else.
3. Real sign-ins per second: N processes POST the sign-in form through Django's full stack
   (middleware, CSRF, form, lock-out checks, audit event, session rotation) on a SQLite file
   (or DATABASE_URL), each sign-in followed by a sign-out.
4. Each branch of the landlords' and the staff's sign-in (right, wrong, unknown, no usable
   password, temporary, locked) and of the recovery forms (existing or unknown account): the
   median time of each and its ratio to the unknown identifier / account
   (bench/sign_in_branches.py).
The targets: sign-ins >= 80 % of the limit (Argon2 must be the cost, not the rest), and every
branch ratio within 0.9-1.1 (the time tells nothing about who exists).
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DB = REPO / "var" / "bench-sign-in.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DB}")
os.environ.setdefault("SECRET_KEY", "bench-only-key-not-secret")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
PASSWORD = "Tilleul-Printemps-Lavande"  # noqa: S105 - a benchmark's throwaway password


def _hash_loop(seconds: float, counter) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    end, done = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        check_password(PASSWORD, encoded)
        done += 1
    with counter.get_lock():
        counter.value += done


def _sign_in_loop(seconds: float, counter, identifiers: list[str]) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    connection.close()
    client = Client()
    client.get("/compte/connexion/")
    end, done, i = time.perf_counter() + seconds, 0, 0
    while time.perf_counter() < end:
        identifier = identifiers[i % len(identifiers)]
        response = client.post(
            "/compte/connexion/", {"identifier": identifier, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
        client.post("/compte/deconnexion/")
        done, i = done + 1, i + 1
    with counter.get_lock():
        counter.value += done


def _parallel(target, workers: int, seconds: float, *args) -> float:
    counter = multiprocessing.Value("i", 0)
    processes = [
        multiprocessing.Process(target=target, args=(seconds, counter, *args))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return counter.value / seconds


def _prepare(workers: int) -> list[str]:
    import django

    if DB.exists():
        DB.unlink()
    DB.parent.mkdir(exist_ok=True)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tests.factories import UserFactory

    users = [UserFactory() for _ in range(workers * 4)]
    for user in users:
        user.set_password(PASSWORD)
        user.save()
    from django.test import Client

    Client().get("/compte/connexion/")  # imports every URL module once, before the fork
    connection.close()
    return [user.identifier for user in users]


def _single_hash_ms(hasher_class) -> float:
    hasher = hasher_class()
    hasher.encode(PASSWORD, hasher.salt())
    start, n = time.perf_counter(), 10
    for _ in range(n):
        hasher.encode(PASSWORD, hasher.salt())
    return (time.perf_counter() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=25, help="timed requests per branch")
    options = parser.parse_args()
    multiprocessing.set_start_method("fork")
    identifiers = _prepare(options.workers)

    from django.contrib.auth.hashers import Argon2PasswordHasher

    from portail.accounts.hashers import PortalArgon2PasswordHasher

    portal = PortalArgon2PasswordHasher
    print(f"cores available: {os.cpu_count()}, worker processes: {options.workers}")
    print(
        f"argon2id portal  m={portal.memory_cost // 1024} MiB t={portal.time_cost} "
        f"p={portal.parallelism}: {_single_hash_ms(portal):6.1f} ms per hash"
    )
    django_default = Argon2PasswordHasher
    print(
        f"argon2id Django  m={django_default.memory_cost // 1024} MiB "
        f"t={django_default.time_cost} p={django_default.parallelism}: "
        f"{_single_hash_ms(django_default):6.1f} ms per hash"
    )
    limit = _parallel(_hash_loop, options.workers, options.seconds)
    print(f"argon2 limit ({options.workers} processes): {limit:7.1f} verifications/s")
    rate = _parallel(_sign_in_loop, options.workers, options.seconds, identifiers)
    print(f"sign-ins ({options.workers} processes, full stack): {rate:7.1f} sign-ins/s")
    share = rate / limit * 100
    print(f"sign-ins / argon2 limit: {share:5.1f} % (target >= 80 %)")
    import sign_in_branches

    sign_in_branches.run(options.rounds)
    DB.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
