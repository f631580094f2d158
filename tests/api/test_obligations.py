"""Unpaid-rent reports, reported changes and payments through the API: the screens' forms and
services (their French messages), read tokens read, declare tokens report, 404 outside."""

import datetime

import pytest

from portail.obligations.models import ChangeReport, UnpaidRentReport
from portail.payments.models import Payment
from tests.factories import TenancyFactory
from tests.obligations.conftest import make_landlord

from .conftest import Api, make_token

# The screens' worked example (tests/obligations/conftest.py), as the API writes it.
WORKED_EXAMPLE = {
    "first_unpaid_month": "2026-10",
    "monthly_rent": "280.00",
    "monthly_charges": "20.00",
    "aid": "50.00",
    "amount_owed": "500.00",
    "tenant_pays_part": False,
}


@pytest.fixture
def landlord(db):
    return make_landlord(email="gestion@exemple.fr")


@pytest.fixture
def api(client, landlord):
    _token, clear = make_token(landlord.user, [landlord.portfolio])
    return Api(client, clear)


def _base(landlord) -> str:
    return f"/portfolios/{landlord.portfolio.pk}"


def test_an_unpaid_rent_is_reported_read_and_listed(api, landlord):
    response = api.post(
        f"{_base(landlord)}/unpaid-rent-reports",
        {"recipient_number": landlord.direct.recipient_number, **WORKED_EXAMPLE},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["threshold"] == "500.00" and body["deadline"] == "2027-01-01"
    assert body["status"] == "received"
    read = api.get(f"{_base(landlord)}/unpaid-rent-reports/{body['id']}").json()
    assert read == body
    listed = api.get(f"{_base(landlord)}/unpaid-rent-reports").json()["items"]
    assert [r["id"] for r in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"amount_owed": "300.00", "tenant_pays_part": True}, "pas encore un impayé à signaler"),
        ({"first_unpaid_month": "2026-13"}, "sous la forme 10/2026"),
        ({"monthly_rent": "1.234"}, "Nous ne savons pas si vous voulez dire"),
    ],
)
def test_the_screens_messages_refuse_and_record_nothing(api, landlord, changes, detail):
    response = api.post(
        f"{_base(landlord)}/unpaid-rent-reports",
        {"recipient_number": landlord.direct.recipient_number, **WORKED_EXAMPLE, **changes},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert not UnpaidRentReport.objects.exists()


def test_a_departure_is_reported_listed_and_withdrawn(api, landlord):
    number = landlord.direct.recipient_number
    response = api.post(
        f"{_base(landlord)}/changes",
        {"recipient_number": number, "kind": "departure", "move_out_date": "2026-12-31"},
    )
    assert response.status_code == 201, response.content
    change = response.json()
    assert (change["kind"], change["status"], change["move_out_date"]) == (
        "departure",
        "declared",
        "2026-12-31",
    )
    again = api.post(
        f"{_base(landlord)}/changes",
        {"recipient_number": number, "kind": "departure", "move_out_date": "2026-12-31"},
    )
    assert again.status_code == 422 and "déjà déclaré" in again.json()["detail"]
    withdrawn = api.post(f"{_base(landlord)}/changes/{change['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["version"] == 2
    listed = api.get(f"{_base(landlord)}/changes").json()["items"]
    assert [(c["id"], c["status"]) for c in listed] == [(change["id"], "withdrawn")]


def test_a_departure_without_its_date_is_refused_in_french(api, landlord):
    response = api.post(
        f"{_base(landlord)}/changes",
        {"recipient_number": landlord.direct.recipient_number, "kind": "departure"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "move_out_date"
    assert not ChangeReport.objects.exists()


def test_a_read_token_reads_but_cannot_report(client, landlord):
    _token, clear = make_token(landlord.user, [landlord.portfolio], can_declare=False)
    reader = Api(client, clear)
    assert reader.get(f"{_base(landlord)}/changes").status_code == 200
    assert reader.get(f"{_base(landlord)}/unpaid-rent-reports").status_code == 200
    number = landlord.direct.recipient_number
    refused = reader.post(
        f"{_base(landlord)}/changes",
        {"recipient_number": number, "kind": "departure", "move_out_date": "2026-12-31"},
    )
    assert refused.status_code == 403
    refused = reader.post(
        f"{_base(landlord)}/unpaid-rent-reports", {"recipient_number": number, **WORKED_EXAMPLE}
    )
    assert refused.status_code == 403
    assert not ChangeReport.objects.exists() and not UnpaidRentReport.objects.exists()


def test_outside_the_token_is_404(api, landlord):
    stranger = TenancyFactory()
    response = api.post(
        f"{_base(landlord)}/changes",
        {"recipient_number": stranger.recipient_number, "kind": "departure",
         "move_out_date": "2026-12-31"},
    )  # fmt: skip
    assert response.status_code == 404
    assert api.get(f"/portfolios/{stranger.portfolio_id}/payments").status_code == 404
    assert api.get(f"{_base(landlord)}/unpaid-rent-reports/999999").status_code == 404


def _pay(tenancy, reference, month, amount="50.00"):
    return Payment.objects.create(
        reference=reference,
        tenancy=tenancy,
        portfolio=tenancy.portfolio,
        recipient_number=tenancy.recipient_number,
        period=month,
        amount=amount,
        paid_on=month + datetime.timedelta(days=4),
    )


def test_payments_are_filtered_and_paged_without_gap_or_repeat(api, landlord):
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    for tenancy in (landlord.direct, landlord.other):
        _pay(tenancy, f"R{tenancy.pk}-10", october)
        _pay(tenancy, f"R{tenancy.pk}-11", november, "51.00")
    seen, cursor = [], None
    while True:
        query = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
        page = api.get(f"{_base(landlord)}/payments{query}").json()
        seen += [(p["month"], p["reference"]) for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4 and seen == sorted(seen)
    november_only = api.get(f"{_base(landlord)}/payments?month=2026-11").json()["items"]
    assert {p["amount"] for p in november_only} == {"51.00"} and len(november_only) == 2
    number = landlord.other.recipient_number
    found = api.get(f"{_base(landlord)}/payments?month=2026-10&search={number}").json()["items"]
    assert [p["recipient_number"] for p in found] == [number]
    assert api.get(f"{_base(landlord)}/payments?search=x").status_code == 422
    assert api.get(f"{_base(landlord)}/payments?month=2026-13").status_code == 422
    assert api.get(f"{_base(landlord)}/payments?cursor=bad").status_code == 422
