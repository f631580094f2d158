"""Obligations tests run on 27/11/2026 (as the rents tests), with the seeded unpaid-rent rules."""

import datetime
import importlib
from dataclasses import dataclass

import pytest

from portail.accounts.models import User
from portail.portfolios.models import Portfolio, Tenancy
from tests.factories import PortfolioFactory, TenancyFactory, UserFactory
from tests.rents.conftest import _campaign_day, client  # noqa: F401 - 27/11/2026

SEED = importlib.import_module("portail.obligations.migrations.0002_seed_unpaid_rules").RULES


def seed_rules() -> None:
    """The two seeded rules (again after a browser test's flush)."""
    from portail.obligations.models import UnpaidRentRule

    for rule in SEED:
        UnpaidRentRule.objects.get_or_create(valid_from=rule["valid_from"], defaults=rule)


@dataclass
class Landlord:
    user: User
    portfolio: Portfolio
    direct: Tenancy  # aid paid to the landlord (tiers payant)
    other: Tenancy  # aid paid to the tenant


def make_landlord(**user_fields) -> Landlord:
    seed_rules()
    user = UserFactory(**user_fields)
    portfolio = PortfolioFactory(landlord=user.landlord, name="Mes logements")
    direct = TenancyFactory(
        portfolio=portfolio,
        tenant_name="Alice ARNAUD",
        direct_payment=True,
        start_date=datetime.date(2024, 9, 1),
    )
    other = TenancyFactory(
        portfolio=portfolio, tenant_name="Bruno BLANC", start_date=datetime.date(2023, 1, 1)
    )
    return Landlord(user, portfolio, direct, other)


# The worked example: 280 € rent, 20 € charges, 50 € aid to the landlord, unpaid since
# October 2026: 3 × 250 € owed on 27/11/2026... reached 500 € on 1 November 2026.
WORKED_EXAMPLE = {
    "first_unpaid_month": "10/2026",
    "monthly_rent": "280",
    "monthly_charges": "20,00",
    "aid": "50",
    "amount_owed": "500",
    "tenant_pays_part": "non",
}


@pytest.fixture
def landlord(db):
    return make_landlord(email="bailleur@example.fr")
