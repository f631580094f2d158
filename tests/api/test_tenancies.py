"""Tenancies through the API: the tenant list's search and status filter, keyset pages that
neither skip nor repeat, updated_since, amounts as decimal strings, 404 outside the token."""

import datetime
from io import StringIO

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


def test_updated_since_sees_the_feeds_changes_to_a_tenancy(api, world, tmp_path):
    """The feed's import stamps the tenancies it creates or changes (Tenancy.updated_at)."""
    import time_machine
    from django.core.management import call_command

    from portail.common import clock

    since = clock.now() + datetime.timedelta(minutes=1)
    gone = world.gone
    (tmp_path / "tenancies.csv").write_text(
        "recipient_number,portfolio_ref,tenant_name,dwelling_address,start_date,end_date,"
        f"direct_payment\n{gone.recipient_number},{world.portfolio.ref},{gone.tenant_name},"
        f'"2 rue Neuve",{gone.start_date},{gone.end_date},0\n',
        encoding="utf-8",
    )
    with time_machine.travel(since + datetime.timedelta(seconds=5), tick=False):
        call_command("import_feed", str(tmp_path), stdout=StringIO())
    stamp = since.isoformat().replace("+00:00", "Z")
    base = f"/portfolios/{world.portfolio.pk}/tenancies"
    items = api.get(f"{base}?updated_since={stamp}").json()["items"]
    assert [(t["recipient_number"], t["dwelling_address"]) for t in items] == [
        (gone.recipient_number, "2 rue Neuve")
    ]
