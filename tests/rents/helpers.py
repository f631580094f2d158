"""A small world for rents tests: one landlord, one portfolio, tenancies in each situation."""

import datetime
import threading
from dataclasses import dataclass

from portail.accounts.models import User
from portail.portfolios.models import Portfolio, Tenancy
from tests.factories import JulyRentFactory, PortfolioFactory, TenancyFactory, UserFactory


@dataclass
class World:
    user: User
    portfolio: Portfolio
    known: Tenancy  # July 2025 rent known (650,00 €): July 2026 can be declared
    missing: Tenancy  # tenant since 2020, July 2025 unknown: a receipt is needed (difficulty 9)
    newcomer: Tenancy  # arrived 01/10/2025: no July 2025 needed
    gone: Tenancy  # left in 2025: no July 2026 asked


def make_world(**user_fields) -> World:
    user = UserFactory(**user_fields)
    portfolio = PortfolioFactory(landlord=user.landlord, name="Mes logements")
    known = TenancyFactory(portfolio=portfolio, tenant_name="Alice ARNAUD")
    JulyRentFactory(tenancy=known, year=2025, amount="650.00")
    missing = TenancyFactory(portfolio=portfolio, tenant_name="Bruno BLANC")
    newcomer = TenancyFactory(
        portfolio=portfolio, tenant_name="Chloé CARON", start_date=datetime.date(2025, 10, 1)
    )
    gone = TenancyFactory(
        portfolio=portfolio, tenant_name="David DURAND", end_date=datetime.date(2025, 12, 31)
    )
    gone.start_date = datetime.date(2020, 1, 1)
    gone.end_date = datetime.date(2026, 5, 31)
    gone.save()
    return World(user, portfolio, known, missing, newcomer, gone)


def all_versions(tenancy=None, *, year: int = 2026) -> list[tuple]:
    """Every declared version of July N rents (superseded ones and the current ones), as
    (tenancy id, version, amount), the way a landlord or an agent sees them."""
    from portail.rents.models import JulyRent, RentDeclaration

    filters = {"year": year} if tenancy is None else {"year": year, "tenancy": tenancy}
    superseded = RentDeclaration.objects.filter(**filters).values_list(
        "tenancy_id", "version", "amount"
    )
    current = JulyRent.objects.filter(submission__isnull=False, **filters).values_list(
        "tenancy_id", "version", "amount"
    )
    return sorted([*superseded, *current])


def own_connection_thread(action, errors: list, *args) -> threading.Thread:
    """A thread (not started) running ``action(*args)`` on its own database connection, closed
    at its end; any exception is appended to ``errors`` for the test to report."""

    def run():
        from django.db import connection

        try:
            action(*args)
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)
