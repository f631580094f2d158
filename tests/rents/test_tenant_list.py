"""The tenant list: rents N-1 and N, status, search, filter, sort, pages, exports; few queries."""

import csv
import datetime
import html
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portail.rents import rules
from portail.rents.tenant_list import tenant_list
from tests.factories import JulyRentFactory, PortfolioFactory, TenancyFactory
from tests.rents.helpers import make_world

pytestmark = pytest.mark.django_db


def list_url(world, **params):
    url = reverse("rents:tenants", args=[world.portfolio.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_each_situation_has_its_status_in_the_list_and_in_the_rule():
    world = make_world()
    rows = {t.tenant_name: t for t in tenant_list(world.portfolio, year=2026)}
    assert rows["Alice ARNAUD"].status == rules.Status.TO_DECLARE
    assert rows["Bruno BLANC"].status == rules.Status.RECEIPT
    assert rows["Chloé CARON"].status == rules.Status.TO_DECLARE
    assert rows["David DURAND"].status == rules.Status.NOT_REQUIRED
    for t in rows.values():  # the database form agrees with the Python rule
        assert t.status == rules.declaration_status(
            start_date=t.start_date,
            end_date=t.end_date,
            year=2026,
            has_current=t.rent_current is not None,
            has_previous=t.rent_previous is not None,
        )


def test_search_by_name_or_number_filter_by_status_and_sort(client):
    world = make_world()
    client.force_login(world.user)
    page = client.get(list_url(world, q="bruno")).content.decode()
    assert "Bruno BLANC" in page and "Alice ARNAUD" not in page
    page = client.get(list_url(world, q=world.known.recipient_number)).content.decode()
    assert "Alice ARNAUD" in page and "Bruno BLANC" not in page
    page = client.get(list_url(world, statut="receipt")).content.decode()
    assert "Bruno BLANC" in page and "Alice ARNAUD" not in page
    assert "Envoyer la quittance" in page
    assert '<option value="receipt" selected>' in page  # the filter stays chosen
    page = client.get(list_url(world, tri="-nom")).content.decode()
    assert page.index("David DURAND") < page.index("Alice ARNAUD")
    assert "4 locataires." in page and "Effacer la recherche" not in page  # sorted, not searched
    assert 'aria-sort="descending"' in page


def test_pages_keep_the_search(client):
    world = make_world()
    for n in range(60):
        TenancyFactory(portfolio=world.portfolio, tenant_name=f"Zoé {n:03d}")
    client.force_login(world.user)
    page = client.get(list_url(world, q="Zoé")).content.decode()
    assert "60 locataires" in page
    assert "q=Zo%C3%A9&amp;apres=" in page and "&amp;page=2" in page


def test_the_list_costs_the_same_queries_with_5_or_300_tenancies(client, django_assert_num_queries):
    """Session, user with its landlord, the user's portfolios (the check and the header), the
    rows in one query: the page's ids as a subquery (on the tenancies' indexes when the order
    needs no rent, else on the kept campaign states' indexes) joined to their rents; the open
    unpaid-rent reports of the page's rows
    (obligations, through rents.tenant_list.TenantListExtras); plus a COUNT when filtered.
    The portfolio's total, the campaign's dates and whether its states are kept come from the
    cache (5 minutes, 1 minute, 1 minute)."""
    world = make_world()
    client.force_login(world.user)
    client.get(list_url(world))  # opens the session, counts the tenancies, reads the campaign
    with django_assert_num_queries(5):
        assert client.get(list_url(world)).status_code == 200
    for n in range(300):
        tenancy = TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2019, 1, 1))
        if n % 2:
            JulyRentFactory(tenancy=tenancy, year=2025)
    with django_assert_num_queries(6):  # tenancies were added: counted again, once
        response = client.get(list_url(world, page=4, tri="-numero"))
    assert "304 locataires" in response.content.decode()
    with django_assert_num_queries(5):
        assert client.get(list_url(world, page=5, tri="-numero")).status_code == 200
    filtered = list_url(world, statut="to_declare", tri="-loyer")
    client.get(filtered)  # whether the year's states are kept goes into the cache (1 minute)
    # The page's ids from the kept states (status and rent index) joined to their rents
    with django_assert_num_queries(6):
        page = client.get(filtered).content.decode()
    # "Page suivante": the rows after the cursor (keyset), the same queries on any page
    after = html.unescape(re.search(r'href="(\?[^"]*apres=[^"]*)">Page suivante', page)[1])
    with django_assert_num_queries(6):
        assert client.get(filtered.split("?")[0] + after).status_code == 200


def test_a_deep_page_shows_the_right_rows_with_their_rents(client):
    world = make_world()
    for n in range(120):
        tenancy = TenancyFactory(portfolio=world.portfolio, tenant_name=f"Zoé {n:03d}")
        JulyRentFactory(tenancy=tenancy, year=2025, amount=f"{500 + n}.00")
    client.force_login(world.user)
    page = client.get(list_url(world, page=3)).content.decode()
    # 124 tenants by name: page 3 holds the 101st to the 124th, Zoé 096 to Zoé 119.
    assert "Zoé 095" not in page and "Zoé 096" in page and "Zoé 119" in page
    assert "615,00" in page  # Zoé 115's July 2025 rent
    assert page.index("Zoé 096") < page.index("Zoé 119")


def test_exports_follow_the_filter_in_csv_and_xlsx(client):
    world = make_world()
    client.force_login(world.user)
    response = client.get(
        reverse("rents:export_csv", args=[world.portfolio.pk]) + "?statut=to_declare"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][3] == "Loyer de juillet 2025"
    names = {row[1] for row in rows[1:]}
    assert names == {"Alice ARNAUD", "Chloé CARON"}
    alice = next(row for row in rows if row[1] == "Alice ARNAUD")
    assert alice[3] == "650,00" and alice[5] == "À déclarer"
    response = client.get(reverse("rents:export_xlsx", args=[world.portfolio.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5
    assert any(row[1] == "Alice ARNAUD" and float(row[3]) == 650.0 for row in values[1:])


def test_switcher_puts_a_few_portfolios_one_click_away_and_lists_many(client):
    from tests.factories import PortfolioFactory

    world = make_world()
    PortfolioFactory(landlord=world.user.landlord, name="Deuxième parc")
    client.force_login(world.user)
    page = client.get(list_url(world)).content.decode()
    assert '<nav class="switcher switcher-inline" aria-label="Changer de parc">' in page
    assert 'aria-current="page">Mes logements</a>' in page
    # Elsewhere in the portfolio, its link is the current portfolio, not the current page.
    other = client.get(reverse("rents:history", args=[world.portfolio.pk])).content.decode()
    assert 'aria-current="true">Mes logements</a>' in other
    assert 'aria-current="page"' not in other
    for n in range(4):
        PortfolioFactory(landlord=world.user.landlord, name=f"Parc {n}")
    page = client.get(list_url(world)).content.decode()
    assert "<summary>Changer de parc</summary>" in page
    assert "Tous mes parcs" in page


def test_the_rows_link_to_their_own_declaration_page(client):
    """The view builds the rows' links from one reverse(): each is the tenancy's own URL."""
    world = make_world()
    client.force_login(world.user)
    page = client.get(list_url(world)).content.decode()
    tenancies = [world.known, world.missing, world.newcomer, world.gone]
    urls = {
        reverse("rents:declare", kwargs={"portfolio_id": world.portfolio.pk, "tenancy_id": t.pk})
        for t in tenancies
    }
    linked = {u for u in urls if f'href="{u}"' in page}
    assert (
        reverse(
            "rents:declare",
            kwargs={"portfolio_id": world.portfolio.pk, "tenancy_id": world.missing.pk},
        )
        in linked
    )
    assert page.count("/loyer/") == len(linked)


def test_an_empty_portfolio_says_so(client):
    world = make_world()
    empty = PortfolioFactory(landlord=world.portfolio.landlord, name="Parc vide")
    client.force_login(world.user)
    page = client.get(reverse("rents:tenants", args=[empty.pk])).content.decode()
    assert "Aucun locataire dans ce parc." in page
    assert "0 locataire." in page


def test_names_are_escaped_in_the_list(client):
    world = make_world()
    TenancyFactory(portfolio=world.portfolio, tenant_name="<b>Zoé</b> & fils")
    client.force_login(world.user)
    page = client.get(list_url(world)).content.decode()
    assert "&lt;b&gt;Zoé&lt;/b&gt; &amp; fils" in page and "<b>Zoé" not in page


def test_my_portfolios_show_their_tenancy_counts(client):
    world = make_world()  # 4 tenancies
    small = PortfolioFactory(landlord=world.portfolio.landlord, name="Petit parc")
    TenancyFactory(portfolio=small)
    client.force_login(world.user)
    page = client.get(reverse("portfolios:home")).content.decode()
    assert "Mes logements</a> – 4 locataires" in page
    assert "Petit parc</a> – 1 locataire –" in page
    TenancyFactory(portfolio=small)  # as the feed would: the count follows
    page = client.get(reverse("portfolios:home")).content.decode()
    assert "Petit parc</a> – 2 locataires" in page
