"""Tenancies through the API: the tenant list's search and status filter, keyset pages that
neither skip nor repeat, updated_since, amounts as decimal strings, 404 outside the token."""

import datetime

from portail.rents.models import JulyRent
from tests.factories import TenancyFactory


def test_pages_follow_the_cursor_without_gap_or_repeat(api, world):
    for n in range(7):
        TenancyFactory(portfolio=world.portfolio, recipient_number=f"77000{n:02d}")
    seen, cursor = [], None
    while True:
        query = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
        page = api.get(f"/portfolios/{world.portfolio.pk}/tenancies{query}").json()
        seen += [t["recipient_number"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 11


def test_filters_are_the_tenant_lists(api, world):
    base = f"/portfolios/{world.portfolio.pk}/tenancies"
    receipt = api.get(f"{base}?status=receipt").json()["items"]
    assert [t["tenant_name"] for t in receipt] == ["Bruno BLANC"]
    known = api.get(f"{base}?search=arnaud").json()["items"]
    assert known[0]["july_rent_previous"] == "650.00" and known[0]["status"] == "to_declare"
    assert api.get(f"{base}?status=nonsense").status_code == 422


def test_updated_since(api, world):
    base = f"/portfolios/{world.portfolio.pk}/tenancies"
    since = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=1)
    JulyRent.objects.filter(tenancy=world.known).update(recorded_at=since)
    stamp = since.isoformat().replace("+00:00", "Z")
    items = api.get(f"{base}?updated_since={stamp}").json()["items"]
    assert [t["recipient_number"] for t in items] == [world.known.recipient_number]


def test_a_tenancy_outside_the_portfolio_is_404(api, world):
    stranger = TenancyFactory()
    response = api.get(f"/portfolios/{world.portfolio.pk}/tenancies/{stranger.recipient_number}")
    assert response.status_code == 404
