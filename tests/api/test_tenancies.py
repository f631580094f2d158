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


def test_updated_since_sees_a_reported_end_move_and_only_then(api, world):
    """A departure reported, corrected or withdrawn moves the tenancy's reported end, so its
    status (Tenancy.reported_end_date): the tenancy is stamped each time. A change that moves no
    end (co-tenants) leaves it unstamped."""
    import time_machine

    from portail.common import clock

    base = f"/portfolios/{world.portfolio.pk}"
    number = world.known.recipient_number

    def changed_after(write) -> list[tuple[str, str]]:
        since = clock.now() + datetime.timedelta(minutes=1)
        with time_machine.travel(since + datetime.timedelta(seconds=5), tick=False):
            response = write()
            assert response.status_code in (200, 201), response.content
        stamp = since.isoformat().replace("+00:00", "Z")
        items = api.get(f"{base}/tenancies?updated_since={stamp}").json()["items"]
        return [(t["recipient_number"], t["status"]) for t in items]

    key = {"Idempotency-Key": "co-tenants"}
    assert (
        changed_after(
            lambda: api.post(
                f"{base}/changes",
                {
                    "recipient_number": number,
                    "kind": "co_tenants",
                    "co_tenant_count": 2,
                    "change_date": "2026-11-01",
                },
            )  # fmt: skip
        )
        == []
    )
    departure = {}

    def report():
        response = api.post(
            f"{base}/changes",
            {"recipient_number": number, "kind": "departure", "move_out_date": "2026-06-30"},
        )
        departure.update(response.json())
        return response

    assert changed_after(report) == [(number, "not_required")]
    correct = f"{base}/changes/{departure['id']}/correct"
    assert changed_after(
        lambda: api.post(correct, {"move_out_date": "2026-08-31"}, headers=key)
    ) == [(number, "to_declare")]
    withdraw = f"{base}/changes/{departure['id']}/withdraw"
    assert changed_after(lambda: api.post(withdraw)) == [(number, "to_declare")]


def test_an_instant_out_of_range_is_refused_in_french(api, world):
    base = f"/portfolios/{world.portfolio.pk}/tenancies"
    for stamp in ("0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00", "2026-02-30T00:00Z"):
        response = api.get(f"{base}?updated_since={stamp}")
        assert response.status_code == 422, stamp
        assert "instant ISO 8601" in response.json()["detail"]
