"""Benchmark: the CPU cost of each page of the load test's mix, per request, as a ratio to the
health probe measured in the same run (issue 14, point 3).

    .venv/bin/python bench/page_costs.py [--tenancies 10000] [--requests 40] [--rounds 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_page_costs]
        [--cache-url redis://127.0.0.1:6379/9] [--profile PAGE]

The database is recreated: a landlord whose portfolio holds N tenancies (bench/rents_common.py,
COPY and the campaign's kept states), plus a second portfolio of 3, and a small landlord with
one portfolio of 3 tenancies; each user has 12 e-mails in Mes courriers. Requests go through
Django's test client in this process (the whole middleware chain, CSRF enforced, DEBUG off),
so the figures are the portal's own work: the CPU time of this process (Django) and of the
PostgreSQL backend serving it (/proc/<pid>/schedstat), in milliseconds per request, and their
sum as a ratio to GET /health/ (one SELECT 1 and a cache write and read). Each page is timed
in each round, the rounds alternate pages, and the median round is printed. Argon2 is the
configured hasher's check_password alone (parameters untouched), so the sign-in's cost beyond
it reads directly. ``--profile PAGE`` prints a pyinstrument profile of that page instead.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rents_common import database_cpu_ns, make_portfolio, setup_django  # noqa: E402

PASSWORD = "Banc-de-mesure-2026"  # noqa: S105 - rents_common's bench user
SMALL_PASSWORD = "Petit-banc-de-mesure-2026"  # noqa: S105 - a benchmark's throwaway password
_HIDDEN = re.compile(r'name="([^"]+)" value="([^"]*)"')
MESSAGES_PER_USER = 12
BIG_NUMBER, SMALL_NUMBER = 999_991, 999_992  # their identifiers: LOG + 6 digits + check letter


def identifier(number: int) -> str:
    from portail.accounts.rules import format_identifier

    return format_identifier(number)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenancies", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_page_costs"
    )
    parser.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/9")
    parser.add_argument("--profile", default="", help="a page's label: profile it instead")
    parser.add_argument("--only", default="", help="only the pages whose label has this text")
    args = parser.parse_args()
    if args.cache_url:
        os.environ["CACHE_URL"] = args.cache_url
    setup_django(args.database_url)
    from django.core.cache import cache
    from django.db import connection

    cache.clear()
    world = build(args.tenancies)
    engine = (
        f"PostgreSQL {connection.pg_version // 10000}"
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"
    )
    print(
        f"{args.tenancies:,} tenancies in the big landlord's portfolio, {engine}, cache "
        f"{args.cache_url or 'locmem'}, load average {os.getloadavg()[0]:.1f}"
    )
    # Each round declares 2 x requests (the form, and the next form after each sending).
    pages = Pages(world, total=2 * args.requests * (args.rounds + 1) + 10, only=args.only)
    if args.profile:
        profile(pages, args.profile, args.requests)
        return
    for _label, step in pages.steps():  # one warm-up request of each
        step()
    results: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _ in pages.steps()}
    for _ in range(args.rounds):
        for label, step in pages.steps():
            results[label].append(measure(step, args.requests))
    report(results, args)


def build(tenancies: int) -> dict:
    """The big landlord (N + 3 tenancies in two portfolios), the small one (3), their mail."""
    import datetime

    from portail.accounts.models import Landlord, User
    from portail.common import clock
    from portail.correspondence.models import Message
    from portail.portfolios.models import Portfolio, Tenancy
    from portail.rents.models import JulyRent

    big_user, big, ids = make_portfolio(tenancies)
    User.objects.filter(pk=big_user.pk).update(
        identifier=identifier(BIG_NUMBER), email="banc@exemple.fr", email_confirmed=True
    )
    second = Portfolio.objects.create(ref="BENCH-B", landlord=big.landlord, name="Petit parc")
    landlord = Landlord.objects.create(
        ref="BENCH-SMALL",
        kind="natural",
        name="Petit bailleur",
        address_line1="2 rue",
        postcode="13001",
        city="Marseille",
        email="petit@exemple.fr",
    )
    small_user = User.objects.create_user(
        identifier(SMALL_NUMBER), SMALL_PASSWORD, landlord=landlord, user_number="9999999998"
    )
    User.objects.filter(pk=small_user.pk).update(email="petit@exemple.fr", email_confirmed=True)
    small = Portfolio.objects.create(ref="BENCH-S", landlord=landlord, name="Mes logements")
    for portfolio, base in ((second, 9_100_000), (small, 9_200_000)):
        for i in range(3):
            tenancy = Tenancy.objects.create(
                recipient_number=str(base + i),
                portfolio=portfolio,
                tenant_name=f"PETIT{i} Prénom",
                dwelling_address=f"{i} rue du Banc, 13001 Marseille",
                start_date=datetime.date(2020, 1, 1),
            )
            JulyRent.objects.create(tenancy=tenancy, year=2025, amount="600.00", source="feed")
    now = clock.now()
    body_html = "<p>" + "Madame, Monsieur, votre espace bailleur vous informe. " * 150 + "</p>"
    Message.objects.bulk_create(
        Message(
            kind="reminder",
            channel="email",
            recipient=user,
            template="rents/reminder",
            context={"user_number": user.user_number, "identifier": user.identifier},
            subject=f"Déclarez vos loyers de juillet ({n})",
            status="sent",
            email="banc@exemple.fr",
            body_text=body_html[3:-4],
            body_html=body_html,
            sent_at=now - datetime.timedelta(days=n),
        )
        for user in (big_user, small_user)
        for n in range(MESSAGES_PER_USER)
    )
    small_tenancies = list(small.tenancies.order_by("pk").values_list("pk", flat=True))
    return {
        "big_user": big_user,
        "big": big,
        "big_tenancies": [pk for pk, _number in ids],
        # The July 2025 rent again (rents_common's rule): no unusual amount to confirm.
        "amounts": {
            **{pk: f"{500 + int(number) % 400},00" for pk, number in ids},
            **{pk: "600,00" for pk in small_tenancies},
        },
        "small_user": small_user,
        "small": small,
        "small_tenancies": small_tenancies,
    }


class Pages:
    """Each page of the mix as a step: one request, checked; the declaration's steps walk the
    tenancies of the big portfolio (one declaration each) and the small one (corrections)."""

    def __init__(self, world: dict, *, total: int, only: str = ""):
        from django.test import Client

        self.world = world
        self.only = only
        self.big = _signed_in(Client(enforce_csrf_checks=True), identifier(BIG_NUMBER), PASSWORD)
        self.small = _signed_in(
            Client(enforce_csrf_checks=True), identifier(SMALL_NUMBER), SMALL_PASSWORD
        )
        self.big_tenancies = iter(world["big_tenancies"][1 : total + 1])
        self.next_small = 0
        self.visitor = Client(enforce_csrf_checks=True)
        self.form = {}  # the declaration in progress: url, fields
        self.acknowledgements = []  # addresses of sent submissions whose PDF was not fetched
        self.fetched = []  # those fetched once
        from django.contrib.auth.hashers import make_password

        self.encoded = make_password(PASSWORD)

    def steps(self):
        """(label, step) of each page; with ``only``, the reference and the pages asked."""
        return [
            (label, step)
            for label, step in self._all_steps()
            if not self.only
            or label.startswith("health")
            or any(part in label for part in self.only.split(","))
        ]

    def _all_steps(self):
        big, small = self.world["big"].pk, self.world["small"].pk
        return [
            ("health (reference)", lambda: self._get(self.small, "/health/")),
            ("Argon2 check_password alone", self._argon2),
            ("sign-in GET", self._sign_in_page),
            ("sign-in POST", self._sign_in_post),
            ("parcs, 1 portfolio (302)", lambda: self._get(self.small, "/parcs/", 302)),
            ("parcs, 10,000 + 3 (list)", lambda: self._get(self.big, "/parcs/")),
            ("parcs, 10,000 + 3, not cached", self._parcs_not_cached),
            ("tenant list, 3", lambda: self._get(self.small, f"/parcs/{small}/locataires/")),
            ("tenant list, 10,000", lambda: self._get(self.big, f"/parcs/{big}/locataires/")),
            (
                "tenant list search, 10,000",
                lambda: self._get(self.big, f"/parcs/{big}/locataires/?q=NOM123"),
            ),
            ("declare form, 10,000", lambda: self._declare_form(self.big, big, "big")),
            ("declare summary, 10,000", lambda: self._declare_post(self.big, "verifier", 200)),
            ("declare send, 10,000", lambda: self._declare_post(self.big, "envoyer", 302)),
            ("declare form, 3", lambda: self._declare_form(self.small, small, "small")),
            ("declare summary, 3", lambda: self._declare_post(self.small, "verifier", 200)),
            ("declare send, 3", lambda: self._declare_post(self.small, "envoyer", 302)),
            ("acknowledgement", self._acknowledgement),
            ("acknowledgement PDF, first", self._pdf_first),
            ("acknowledgement PDF, again", self._pdf_again),
            ("Mes courriers", lambda: self._get(self.small, "/courriers/")),
        ]

    def _get(self, client, url, status=200):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response

    def _parcs_not_cached(self):
        """The list as a first visit finds it: the counts' cached values forgotten (as the feed
        forgets them), so the page reads or counts them."""
        from portail.portfolios.selectors import forget_tenancy_counts

        forget_tenancy_counts([p.pk for p in self.world["big"].landlord.portfolios.all()])
        self._get(self.big, "/parcs/")

    def _argon2(self):
        from django.contrib.auth.hashers import check_password

        assert check_password(PASSWORD, self.encoded)

    def _sign_in_page(self):
        """A new visitor: no cookie (one client, so Django's handler is built once, as in a
        server process)."""
        self.visitor.cookies.clear()
        self.visitor_page = self._get(self.visitor, "/compte/connexion/")

    def _sign_in_post(self):
        if not hasattr(self, "visitor_page"):
            self._sign_in_page()
        fields = dict(_HIDDEN.findall(self.visitor_page.content.decode()))
        response = self.visitor.post(
            "/compte/connexion/",
            {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "identifier": identifier(SMALL_NUMBER),
                "password": SMALL_PASSWORD,
            },
        )
        assert response.status_code == 302, response.content[:300]
        self._sign_in_page()  # the next POST's page, outside the measure of the POST

    def _declare_form(self, client, portfolio_id, which):
        if which == "big":
            tenancy = next(self.big_tenancies)
        else:
            tenancies = self.world["small_tenancies"]
            tenancy = tenancies[self.next_small % len(tenancies)]
            self.next_small += 1
        url = f"/parcs/{portfolio_id}/locataires/{tenancy}/loyer/"
        page = self._get(client, url)
        fields = dict(_HIDDEN.findall(page.content.decode()))
        self.form[client] = (
            url,
            {
                **{k: fields[k] for k in ("csrfmiddlewaretoken", "token", "version")},
                "amount": self.world["amounts"][tenancy],
            },
        )

    def _declare_post(self, client, action, status):
        if client not in self.form:  # a step run first (--profile)
            self._declare_form(client, *self._again(client))
        url, data = self.form[client]
        response = client.post(url, {**data, "action": action})
        assert response.status_code == status, (url, response.status_code, response.content[:300])
        if action == "envoyer":
            self.acknowledgements.append((client, response["Location"]))
            self._declare_form(client, *self._again(client))

    def _again(self, client):
        if client is self.big:
            return self.world["big"].pk, "big"
        return self.world["small"].pk, "small"

    def _acknowledgement(self):
        client, location = self.acknowledgements[-1]
        self._get(client, location)

    def _pdf_first(self):
        client, location = self.acknowledgements.pop(0)
        response = self._get(client, f"{location}accuse.pdf")
        assert response.content.startswith(b"%PDF")
        self.fetched.append((client, location))

    def _pdf_again(self):
        client, location = self.fetched[-1]
        response = self._get(client, f"{location}accuse.pdf")
        assert response.content.startswith(b"%PDF")


def _signed_in(client, name, password):
    page = client.get("/compte/connexion/")
    token = dict(_HIDDEN.findall(page.content.decode()))["csrfmiddlewaretoken"]
    response = client.post(
        "/compte/connexion/",
        {"csrfmiddlewaretoken": token, "identifier": name, "password": password},
    )
    assert response.status_code == 302, response.content[:300]
    return client


def measure(step, count: int) -> tuple[float, float, float]:
    """Milliseconds per request: CPU of this process, CPU of the database backend, wall."""
    database, cpu, wall = database_cpu_ns(), time.process_time_ns(), time.perf_counter_ns()
    for _ in range(count):
        step()
    wall = time.perf_counter_ns() - wall
    cpu = time.process_time_ns() - cpu
    database = database_cpu_ns() - database
    return cpu / count / 1e6, database / count / 1e6, wall / count / 1e6


def report(results: dict, args) -> None:
    medians = {}
    for label, rounds in results.items():
        by_total = sorted(rounds, key=lambda r: r[0] + r[1])
        medians[label] = list(by_total[len(by_total) // 2])
    # Three steps also fetch the next form: that page's own median is subtracted from them.
    follow_ups = {
        "sign-in POST": "sign-in GET",
        "declare send, 10,000": "declare form, 10,000",
        "declare send, 3": "declare form, 3",
    }
    for label, page in follow_ups.items():
        if label not in medians or page not in medians:
            continue
        medians[label] = [a - b for a, b in zip(medians[label], medians[page], strict=True)]
    reference = sum(medians["health (reference)"][:2])
    print(
        f"{args.requests} requests a page, median of {args.rounds} rounds; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'page':<30} {'Django ms':>9} {'DB ms':>6} {'total':>6} {'/health':>8} {'wall ms':>8}")
    for label, (cpu, database, wall) in medians.items():
        total = cpu + database
        print(
            f"{label:<30} {cpu:9.2f} {database:6.2f} {total:6.2f} {total / reference:8.1f} "
            f"{wall:8.2f}"
        )
    if not {"sign-in GET", "sign-in POST", "Argon2 check_password alone"} <= medians.keys():
        return
    argon2 = sum(medians["Argon2 check_password alone"][:2])
    sign_in = sum(medians["sign-in GET"][:2]) + sum(medians["sign-in POST"][:2])
    print(
        f"a sign-in (GET + POST): {sign_in:.2f} ms, Argon2 {argon2:.2f} ms, beyond Argon2 "
        f"{sign_in - argon2:.2f} ms ({(sign_in - argon2) / reference:.1f} x /health); "
        f"Argon2's share {argon2 / sign_in:.3f}"
    )


def profile(pages: "Pages", label: str, count: int) -> None:
    """pyinstrument's tree of one page (then cProfile's functions by CPU time, with
    PROFILE_CPROFILE=1: pyinstrument samples wall time, which a loaded machine blurs)."""
    steps = dict(pages._all_steps())
    step = steps[label]
    step()
    if os.environ.get("PROFILE_CPROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(count):
            step()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", ""), 80)
        stats.sort_stats("tottime").print_stats(40)
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        step()
    profiler.stop()
    show_all = bool(os.environ.get("SHOW_ALL"))
    print(profiler.output_text(unicode=True, color=False, show_all=show_all))


if __name__ == "__main__":
    main()
