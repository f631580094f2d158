"""The status of a tenancy has one definition in two forms (rules.declaration_status and
rules.declaration_status_sql): for any tenancy, rents and campaign year, the database computes
what the Python rule says, on SQLite and on PostgreSQL."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portail.portfolios.models import Tenancy
from portail.rents import rules
from portail.rents.models import JulyRent
from portail.rents.tenant_list import with_rents
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db


def days(year: int):
    """Any day, and often one where the rule turns: the edges of July N-1 and July N."""
    edges = [
        datetime.date(y, m, d)
        for y in (year - 1, year)
        for m, d in ((6, 30), (7, 1), (7, 31), (8, 1))
    ]
    edge = st.sampled_from(edges)
    return st.one_of(edge, edge, st.dates(datetime.date(2018, 1, 1), datetime.date(2028, 12, 31)))


@st.composite
def tenancies(draw, year: int):
    start = draw(days(year))
    end = draw(st.one_of(st.none(), days(year).filter(lambda day: day >= start)))
    return {
        "start_date": start,
        "end_date": end,
        "has_current": draw(st.booleans()),
        "has_previous": draw(st.booleans()),
        "has_other_year": draw(st.booleans()),  # a rent of another year must not count
    }


@st.composite
def campaigns(draw):
    year = draw(st.integers(2024, 2027))
    return year, draw(st.lists(tenancies(year), min_size=1, max_size=20))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(campaign=campaigns())
def test_the_database_form_of_the_status_is_the_python_rule(campaign):
    year, cases = campaign
    with transaction.atomic():
        portfolio = PortfolioFactory()
        expected = {}
        for number, case in enumerate(cases):
            tenancy = Tenancy.objects.create(
                portfolio=portfolio,
                recipient_number=f"{7000000 + number}",
                tenant_name=f"Locataire {number}",
                dwelling_address="1 rue de la Paix",
                start_date=case["start_date"],
                end_date=case["end_date"],
            )
            for wanted, rent_year in (
                (case["has_current"], year),
                (case["has_previous"], year - 1),
                (case["has_other_year"], year - 2),
            ):
                if wanted:
                    JulyRent.objects.create(
                        tenancy=tenancy,
                        year=rent_year,
                        amount="650.00",
                        source=JulyRent.Source.FEED,
                    )
            expected[tenancy.pk] = rules.declaration_status(
                start_date=case["start_date"],
                end_date=case["end_date"],
                year=year,
                has_current=case["has_current"],
                has_previous=case["has_previous"],
            )
        computed = dict(
            with_rents(Tenancy.objects.filter(portfolio=portfolio), year=year).values_list(
                "pk", "status"
            )
        )
        assert computed == expected
        transaction.set_rollback(True)
