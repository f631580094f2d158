"""Realistic, deterministic feed files: the demo data and the benchmark's large feeds.

Names and places are invented; SIRETs carry a valid Luhn key; rents follow a yearly rise.
"""

import csv
import datetime
import random
from decimal import Decimal
from pathlib import Path

from stdnum import luhn

from .parsing import (
    LANDLORD_COLUMNS,
    PAYMENT_COLUMNS,
    PORTFOLIO_COLUMNS,
    RENT_COLUMNS,
    TENANCY_COLUMNS,
)

FIRST_NAMES = [
    "Marie",
    "Jean",
    "Nathalie",
    "Pierre",
    "Sophie",
    "Michel",
    "Isabelle",
    "Philippe",
    "Catherine",
    "Alain",
    "Sylvie",
    "Nicolas",
    "Camille",
    "Lucas",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Inès",
    "Gabriel",
    "Manon",
    "Yanis",
    "Sarah",
    "Karim",
    "Fatou",
    "Thi",
    "Anh",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèbvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Nguyen",
    "Diallo",
    "Benali",
    "Da Silva",
    "Lemaire",
    "Schmitt",
    "Le Goff",
    "Hoarau",
]
STREETS = [
    "rue des Lilas",
    "avenue Jean Jaurès",
    "rue de la République",
    "chemin des Vignes",
    "boulevard Pasteur",
    "place du Marché",
    "rue Victor Hugo",
    "allée des Tilleuls",
    "impasse du Moulin",
    "rue Émile Zola",
]
CITIES = (
    ("13001", "Marseille"),
    ("13100", "Aix-en-Provence"),
    ("84000", "Avignon"),
    ("83000", "Toulon"),
    ("06000", "Nice"),
    ("30000", "Nîmes"),
)


def valid_siret(rng: random.Random) -> str:
    """A 14-digit SIRET whose SIREN (9 digits) and whole number both carry a valid Luhn key."""
    siren = "".join(str(rng.randrange(10)) for _ in range(8))
    siren += luhn.calc_check_digit(siren)
    body = siren + "".join(str(rng.randrange(10)) for _ in range(4))
    return body + luhn.calc_check_digit(body)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES).upper()}"


def _address(rng: random.Random) -> tuple[str, str, str]:
    postcode, city = rng.choice(CITIES)
    return f"{rng.randrange(1, 120)} {rng.choice(STREETS)}", postcode, city


def _write(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


class FeedBuilder:
    """Collects landlords, portfolios, tenancies and July rents, then writes the four files."""

    def __init__(self, *, seed: int = 2026, last_year: int = 2025):
        self.rng = random.Random(seed)
        self.last_year = last_year
        self.landlords: list[dict] = []
        self.portfolios: list[dict] = []
        self.tenancies: list[dict] = []
        self.rents: list[dict] = []
        self.payments: list[dict] = []
        self._next_recipient = 1_000_000

    def landlord(self, ref: str, *, kind: str, name: str, email: str = "") -> str:
        line1, postcode, city = _address(self.rng)
        self.landlords.append(
            {
                "landlord_ref": ref,
                "kind": kind,
                "name": name,
                "siret": valid_siret(self.rng) if kind == "moral" else "",
                "email": email,
                "address_line1": line1,
                "address_line2": "",
                "postcode": postcode,
                "city": city,
            }
        )
        return ref

    def portfolio(self, ref: str, *, landlord_ref: str, name: str) -> str:
        self.portfolios.append({"portfolio_ref": ref, "landlord_ref": landlord_ref, "name": name})
        return ref

    def tenancies_in(self, portfolio_ref: str, count: int, *, missing_last_rent: int = 0) -> None:
        """``count`` tenancies with rent history; the first ``missing_last_rent`` lack the
        July rent of the last year (they show help-sheet difficulty 9)."""
        for index in range(count):
            number = str(self._next_recipient)
            self._next_recipient += 1
            start = datetime.date(
                self.last_year - self.rng.randrange(0, 8), self.rng.randrange(1, 13), 1
            )
            line1, postcode, city = _address(self.rng)
            self.tenancies.append(
                {
                    "recipient_number": number,
                    "portfolio_ref": portfolio_ref,
                    "tenant_name": _person(self.rng),
                    "dwelling_address": f"{line1}, {postcode} {city}",
                    "start_date": start.isoformat(),
                    "end_date": "",
                    "direct_payment": self.rng.choice(("1", "0")),
                }
            )
            rent = Decimal(self.rng.randrange(35000, 95000)) / 100
            for year in range(max(start.year, self.last_year - 2), self.last_year + 1):
                if year == self.last_year and index < missing_last_rent:
                    continue
                if year > start.year or start.month <= 7:
                    self.rents.append(
                        {
                            "recipient_number": number,
                            "year": year,
                            "month": 7,
                            "amount": f"{rent:.2f}",
                        }
                    )
                rent = (rent * Decimal("1.035")).quantize(Decimal("0.01"))

    def direct_payments(self, *, months: int, seed: int = 13, everyone: bool = False) -> None:
        """One payment a month for the ``months`` months up to December of the last year, to
        each tenancy paid directly (or to every tenancy with ``everyone``, for benchmarks); a
        random generator of its own leaves the other files as they were."""
        rng = random.Random(seed)
        periods = [
            datetime.date(self.last_year - (11 - m) // 12, (m % 12) + 1, 1)
            for m in range(12 - months, 12)
        ]
        for tenancy in self.tenancies:
            if not (everyone or tenancy["direct_payment"] == "1"):
                continue
            aid = Decimal(rng.randrange(8000, 42000)) / 100
            for period in periods:
                paid_on = period.replace(day=5) + datetime.timedelta(days=31)
                self.payments.append(
                    {
                        "recipient_number": tenancy["recipient_number"],
                        "period": f"{period:%Y-%m}",
                        "amount": f"{aid:.2f}",
                        "paid_on": paid_on.replace(day=5).isoformat(),
                        "reference": f"V{tenancy['recipient_number']}{period:%Y%m}",
                    }
                )

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        _write(directory / "landlords.csv", LANDLORD_COLUMNS, self.landlords)
        _write(directory / "portfolios.csv", PORTFOLIO_COLUMNS, self.portfolios)
        _write(directory / "tenancies.csv", TENANCY_COLUMNS, self.tenancies)
        _write(directory / "rents.csv", RENT_COLUMNS, self.rents)
        if self.payments:
            _write(directory / "payments.csv", PAYMENT_COLUMNS, self.payments)


def demo_feed() -> FeedBuilder:
    """The demo: two private landlords (with and without e-mail) and a company with two parcs."""
    feed = FeedBuilder()
    feed.landlord("DEMO-P1", kind="physique", name="Marie MARTIN", email="marie.martin@example.fr")
    feed.portfolio("DEMO-P1-A", landlord_ref="DEMO-P1", name="Mes logements")
    feed.tenancies_in("DEMO-P1-A", 2, missing_last_rent=1)
    feed.landlord("DEMO-P2", kind="physique", name="Jean DUBOIS")
    feed.portfolio("DEMO-P2-A", landlord_ref="DEMO-P2", name="Mon logement")
    feed.tenancies_in("DEMO-P2-A", 1)
    feed.landlord(
        "DEMO-M1", kind="moral", name="SCI Les Tilleuls", email="gestion@tilleuls.example"
    )
    feed.portfolio("DEMO-M1-A", landlord_ref="DEMO-M1", name="Résidence Les Tilleuls")
    feed.tenancies_in("DEMO-M1-A", 180, missing_last_rent=6)
    feed.portfolio("DEMO-M1-B", landlord_ref="DEMO-M1", name="Centre-ville Avignon")
    feed.tenancies_in("DEMO-M1-B", 120, missing_last_rent=4)
    feed.direct_payments(months=6)
    return feed


def large_feed(*, tenancies: int, per_landlord: int = 20, seed: int = 7) -> FeedBuilder:
    """A feed of ``tenancies`` tenancies spread over legal landlords, for benchmarks."""
    feed = FeedBuilder(seed=seed)
    for index in range(0, tenancies, per_landlord):
        ref = f"L{index // per_landlord:07d}"
        feed.landlord(ref, kind="moral", name=f"SCI {feed.rng.choice(LAST_NAMES)} {index}")
        feed.portfolio(f"P{index // per_landlord:07d}", landlord_ref=ref, name="Parc principal")
        feed.tenancies_in(f"P{index // per_landlord:07d}", min(per_landlord, tenancies - index))
    return feed
