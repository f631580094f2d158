"""Time of each branch of the sign-ins and of the recovery forms (used by bench/sign_in.py).

Every branch is one POST through Django's full stack, the branches taken in turn round after
round (so a noisy machine slows them alike); the median per branch is printed with its ratio
to the reference of its form: what a prober compares with, the unknown identifier or account.
Target: every ratio within 0.9-1.1, i.e. the answer's time does not tell whether an identifier
or an account exists. Untimed between requests: lock-out and rate-limit rows are reset and
captchas fetched.
"""

import datetime
import re
import statistics
import time

PASSWORD = "Tilleul-Printemps-Lavande"  # noqa: S105 - a benchmark's throwaway password
STAFF_PASSWORD = "Agent-mot-de-passe-solide-2026"  # noqa: S105
TEMPORARY_SHAPED = "ABCD EFGH JKMN PQRS"


def _landlord_branches():
    from portail.accounts import rules
    from portail.accounts.models import SignInThrottle
    from portail.accounts.temporary_passwords import display, issue_temporary_password
    from portail.common import clock
    from tests.factories import UserFactory

    def user(password=PASSWORD):
        made = UserFactory()
        if password:
            made.set_password(password)
        else:
            made.set_unusable_password()
        made.save()
        return made

    right, fresh, locked = user(), user(None), user()
    waiting = user(None)
    temporary = display(issue_temporary_password(user=waiting, channel="email"))
    until = clock.now() + datetime.timedelta(days=1)
    lock = {"scope": SignInThrottle.Scope.IDENTIFIER, "key": locked.identifier}
    unknown = rules.format_identifier(999_998)
    return (
        "/compte/connexion/",
        "unknown identifier",
        lock,
        until,
        [
            ("right password", right.identifier, PASSWORD),
            ("wrong password", right.identifier, "Pas-le-bon-mot-de-passe"),
            ("wrong, temporary-shaped", right.identifier, TEMPORARY_SHAPED),
            ("unknown identifier", unknown, "Pas-le-bon-mot-de-passe"),
            ("unknown, temporary-shaped", unknown, TEMPORARY_SHAPED),
            ("no usable password", fresh.identifier, "Pas-le-bon-mot-de-passe"),
            ("right temporary password", waiting.identifier, temporary),
            ("locked, right password", locked.identifier, PASSWORD),
        ],
    )


def _staff_branches():
    from portail.accounts.models import SignInThrottle, User
    from portail.common import clock

    def agent(identifier, usable=True):
        made = User.objects.create_user(identifier, STAFF_PASSWORD, is_staff=True)
        if not usable:
            made.set_unusable_password()
            made.save()
        return made

    right, fresh, locked = (
        agent("bench.agent"),
        agent("bench.nouveau", False),
        agent("bench.bloque"),
    )
    until = clock.now() + datetime.timedelta(days=1)
    lock = {"scope": SignInThrottle.Scope.IDENTIFIER, "key": f"staff:{locked.identifier}"}
    return (
        "/agence/connexion/",
        "unknown agent",
        lock,
        until,
        [
            ("right password", right.identifier, STAFF_PASSWORD),
            ("wrong password", right.identifier, "Pas-le-bon-mot-de-passe"),
            ("unknown agent", "bench.inconnu", STAFF_PASSWORD),
            ("no usable password", fresh.identifier, STAFF_PASSWORD),
            ("locked, right password", locked.identifier, STAFF_PASSWORD),
        ],
    )


def _time_sign_ins(client, setup, rounds: int) -> dict[str, list[float]]:
    from portail.accounts.models import SignInThrottle

    url, _reference, lock, until, branches = setup
    times: dict[str, list[float]] = {name: [] for name, _identifier, _password in branches}
    for n in range(rounds):
        for name, identifier, password in branches:
            SignInThrottle.objects.exclude(**lock).delete()
            SignInThrottle.objects.update_or_create(**lock, defaults={"locked_until": until})
            client.cookies.clear()
            address = f"10.{n % 250}.{len(times[name]) % 250}.1"
            start = time.perf_counter()
            response = client.post(
                url, {"identifier": identifier, "password": password}, REMOTE_ADDR=address
            )
            times[name].append(time.perf_counter() - start)
            assert response.status_code in (200, 302), (name, response.status_code)
    return times


def _time_recovery(client, rounds: int) -> dict[str, list[float]]:
    from captcha.models import CaptchaStore

    from portail.accounts.models import RateCounter
    from tests.factories import UserFactory

    known = UserFactory(email="bench@example.fr", email_confirmed=True)
    branches = [
        (
            "lost identifier, existing",
            "/compte/identifiant-perdu/",
            {"user_number": known.user_number},
        ),
        ("lost identifier, unknown", "/compte/identifiant-perdu/", {"user_number": "0000000097"}),
        ("lost password, existing", "/compte/mot-de-passe-perdu/", {"email": known.email}),
        ("lost password, unknown", "/compte/mot-de-passe-perdu/", {"email": "nul@example.fr"}),
    ]
    times: dict[str, list[float]] = {name: [] for name, _url, _fields in branches}
    for _ in range(rounds):
        for name, url, fields in branches:
            RateCounter.objects.all().delete()
            client.cookies.clear()
            page = client.get(url).content.decode()
            key = re.search(r'name="captcha_0" value="([^"]+)"', page).group(1)
            answer = CaptchaStore.objects.get(hashkey=key).challenge
            data = {**fields, "captcha_0": key, "captcha_1": answer}
            start = time.perf_counter()
            response = client.post(url, data)
            times[name].append(time.perf_counter() - start)
            assert response.status_code == 302, (name, response.status_code)
    return times


def _print(title: str, times: dict[str, list[float]], reference: str) -> list[float]:
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    base = medians[reference]
    print(f"{title} (median of {len(times[reference])} each, ratio to '{reference}'):")
    ratios = []
    for name, median in medians.items():
        ratios.append(median / base)
        print(f"  {name:<28} {median:7.1f} ms   ratio {median / base:4.2f}")
    return ratios


def run(rounds: int) -> None:
    """Print the median and ratio of every branch; then whether all ratios are within 0.9-1.1."""
    from django.test import Client

    client = Client()
    ratios = []
    landlord = _landlord_branches()
    ratios += _print(
        "landlord sign-in branches", _time_sign_ins(client, landlord, rounds), landlord[1]
    )
    staff = _staff_branches()
    ratios += _print("staff sign-in branches", _time_sign_ins(client, staff, rounds), staff[1])
    recovery = _time_recovery(client, rounds)
    for form in ("lost identifier", "lost password"):
        times = {name: values for name, values in recovery.items() if name.startswith(form)}
        ratios += _print(f"{form} form", times, f"{form}, unknown")
    within = all(0.9 <= ratio <= 1.1 for ratio in ratios)
    print(
        f"all branch ratios within 0.9-1.1: {'yes' if within else 'NO'} "
        f"(from {min(ratios):.2f} to {max(ratios):.2f})"
    )
