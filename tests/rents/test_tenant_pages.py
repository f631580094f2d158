"""Keyset pages of the tenant list: following "Page suivante" from the first page to the last,
then "Page précédente" back, shows every tenant once, in the order the page numbers show, for
every order and filter; a cursor that is not ours shows the first page and says so."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portail.rents import campaign_state, campaign_years, rules
from portail.rents.tenant_list import SORTS
from portail.rents.tenant_pages import BAD_CURSOR, tenant_page
from tests.factories import JulyRentFactory, TenancyFactory

from .helpers import make_world

pytestmark = pytest.mark.django_db
PER_PAGE = 7


@pytest.fixture
def world():
    if not campaign_state.built_years([2026]):
        campaign_years.build_year(2026)
    world = make_world()
    for n in range(40):
        # Names, rents and addresses repeat: the order's last column (the number) decides.
        tenancy = TenancyFactory(
            portfolio=world.portfolio,
            tenant_name=f"NOM{n % 6}",
            dwelling_address=f"{n % 4} rue du Test",
            start_date=datetime.date(2020 + n % 6, 1, 1),
        )
        if n % 3:
            JulyRentFactory(tenancy=tenancy, year=2025, amount=Decimal(500 + n % 5))
        if n % 4 == 0:
            JulyRentFactory(tenancy=tenancy, year=2026, amount=Decimal(600 + n % 2))
    return world


def _page(world, *, sort, status="", number=1, after="", before=""):
    return tenant_page(
        world.portfolio,
        year=2026,
        number=number,
        per_page=PER_PAGE,
        status=status,
        sort=sort,
        after=after,
        before=before,
    )


@pytest.mark.parametrize("status", ["", rules.Status.TO_DECLARE])
@pytest.mark.parametrize("sort", [*SORTS, *(f"-{key}" for key in SORTS)])
def test_next_and_previous_walk_the_list_in_the_order_of_the_page_numbers(world, sort, status):
    first = _page(world, sort=sort, status=status)
    by_number = [
        [row.pk for row in _page(world, sort=sort, status=status, number=n).object_list]
        for n in range(1, first.num_pages + 1)
    ]
    assert sum(len(rows) for rows in by_number) == first.count
    walked, page = [], first
    while True:
        walked.append([row.pk for row in page.object_list])
        if page.next_query is None:
            break
        assert page.next_query["page"] == page.number + 1
        page = _page(world, sort=sort, status=status, **_position(page.next_query))
    assert walked == by_number
    back = [walked[-1]]
    while page.previous_query is not None:
        page = _page(world, sort=sort, status=status, **_position(page.previous_query))
        back.append([row.pk for row in page.object_list])
    assert back == by_number[::-1]
    assert page.number == 1


def _position(query: dict) -> dict:
    return {
        "number": query["page"],
        "after": query.get("apres", ""),
        "before": query.get("avant", ""),
    }


def test_the_rent_order_puts_unknown_rents_first_then_the_amounts(world):
    rents = []
    page = _page(world, sort="loyer_precedent")
    while True:
        rents += [row.rent_previous for row in page.object_list]
        if page.next_query is None:
            break
        page = _page(world, sort="loyer_precedent", **_position(page.next_query))
    unknown = rents.count(None)
    assert unknown and rents[:unknown] == [None] * unknown
    assert rents[unknown:] == sorted(rents[unknown:])


@pytest.mark.parametrize("cursor", ["pas-un-curseur", "W10", "WyJub20iLCAxXQ", "x" * 2000])
def test_a_cursor_that_is_not_ours_shows_the_first_page_and_says_so(client, world, cursor):
    client.force_login(world.user)
    url = reverse("rents:tenants", args=[world.portfolio.pk])
    page = client.get(url, {"apres": cursor, "page": "3"})
    content = page.content.decode()
    assert page.status_code == 200
    assert BAD_CURSOR.replace("'", "&#39;") in content
    assert ", page 1 sur 1</caption>" in content


def test_a_cursor_of_another_order_is_not_taken_for_this_one(world):
    page = _page(world, sort="nom")
    cursor = page.next_query["apres"]
    other = _page(world, sort="loyer", number=2, after=cursor)
    assert other.notice == BAD_CURSOR and other.number == 1
