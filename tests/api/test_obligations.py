"""Unpaid-rent reports, reported changes and payments through the API: the screens' forms and
services (their French messages), read tokens read, declare tokens report, 404 outside."""

import datetime
import html
import uuid

import pytest

from portail.obligations.models import (
    ChangeReport,
    ChangeVersion,
    RepaymentPlan,
    UnpaidRentEvent,
    UnpaidRentReport,
)
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


# --- Pages and filters ---------------------------------------------------------------------


def _walk(api, path: str, query: str = "", *, limit: int) -> list[dict]:
    seen, cursor = [], None
    while True:
        separator = "&" if query else ""
        page_query = f"?{query}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(f"{path}{page_query}")
        assert response.status_code == 200, response.content
        page = response.json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def _newest_first(items: list[dict]) -> bool:
    keys = [(item["reported_at"], item["id"]) for item in items]
    return keys == sorted(keys, reverse=True)


def test_changes_are_paged_newest_first_and_filtered(api, landlord):
    from portail.common import clock

    base = f"{_base(landlord)}/changes"
    tenancies = [landlord.direct, landlord.other] + [
        TenancyFactory(portfolio=landlord.portfolio, start_date=datetime.date(2024, 1, 1))
        for _ in range(3)
    ]
    for tenancy in tenancies:
        departure = {"kind": "departure", "move_out_date": "2026-12-31"}
        response = api.post(base, {"recipient_number": tenancy.recipient_number, **departure})
        assert response.status_code == 201, response.content
    co_tenants = api.post(
        base,
        {"recipient_number": landlord.other.recipient_number, "kind": "co_tenants",
         "co_tenant_count": 2, "change_date": "2026-11-01"},
    ).json()  # fmt: skip
    every = _walk(api, base, limit=100)
    assert len(every) == 6 and _newest_first(every)
    paged = _walk(api, base, limit=4)
    assert [c["id"] for c in paged] == [c["id"] for c in every]
    assert [c["id"] for c in _walk(api, base, "kind=co_tenants", limit=1)] == [co_tenants["id"]]
    since = clock.now()
    withdrawn = api.post(f"{base}/{every[-1]['id']}/withdraw").json()
    assert [c["id"] for c in _walk(api, base, "status=withdrawn", limit=2)] == [withdrawn["id"]]
    stamp = since.isoformat().replace("+00:00", "Z")
    changed = _walk(api, base, f"updated_since={stamp}", limit=2)
    assert [(c["id"], c["version"]) for c in changed] == [(withdrawn["id"], 2)]
    number = landlord.other.recipient_number
    mine = _walk(api, base, f"recipient_number={number}", limit=1)
    assert {c["recipient_number"] for c in mine} == {number} and len(mine) == 2
    for query in ("cursor=bad", "limit=1001", "limit=0", "kind=other", "stauts=declared"):
        refused = api.get(f"{base}?{query}")
        assert refused.status_code == 422, query
        assert refused["Content-Type"] == "application/problem+json"


def test_unpaid_rent_reports_are_paged_and_filtered(api, landlord):
    base = f"{_base(landlord)}/unpaid-rent-reports"
    tenancies = [landlord.direct] + [
        TenancyFactory(portfolio=landlord.portfolio, direct_payment=True,
                       start_date=datetime.date(2024, 1, 1))
        for _ in range(2)
    ]  # fmt: skip
    for tenancy in tenancies:
        created = api.post(base, {"recipient_number": tenancy.recipient_number, **WORKED_EXAMPLE})
        assert created.status_code == 201, created.content
    every = _walk(api, base, limit=2)
    assert len(every) == 3 and _newest_first(every)
    assert len({r["id"] for r in every}) == 3
    UnpaidRentReport.objects.filter(pk=every[0]["id"]).update(status="under_review")
    assert [r["id"] for r in _walk(api, base, "status=under_review", limit=5)] == [every[0]["id"]]
    assert len(_walk(api, base, "status=received", limit=1)) == 2
    number = landlord.direct.recipient_number
    assert [
        r["recipient_number"] for r in _walk(api, base, f"recipient_number={number}", limit=5)
    ] == [number]
    assert api.get(f"{base}?updated_since=2026-13-01T00:00:00Z").status_code == 422


# --- Correcting a change -------------------------------------------------------------------


def _key() -> dict:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _screen_text(response) -> str:
    return html.unescape(response.content.decode())


def _departure(api, landlord) -> dict:
    response = api.post(
        f"{_base(landlord)}/changes",
        {"recipient_number": landlord.direct.recipient_number, "kind": "departure",
         "move_out_date": "2026-12-31"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def test_a_change_is_corrected_once_per_key_the_former_version_kept(api, landlord):
    change = _departure(api, landlord)
    url = f"{_base(landlord)}/changes/{change['id']}/correct"
    key = _key()
    body = {"move_out_date": "2027-01-15", "new_address": "3 rue Haute", "based_on_version": 1}
    first = api.post(url, body, headers=key)
    assert first.status_code == 200, first.content
    assert (first.json()["version"], first.json()["move_out_date"]) == (2, "2027-01-15")
    again = api.post(url, body, headers=key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert list(ChangeVersion.objects.values_list("version", "move_out_date")) == [
        (1, datetime.date(2026, 12, 31))
    ]
    reused = api.post(url, {**body, "move_out_date": "2027-01-20"}, headers=key)
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("idempotency-key-reused")
    stale = api.post(url, body, headers=_key())
    assert stale.status_code == 422 and "corrigé entre-temps" in stale.json()["detail"]
    # Without based_on_version, the current one.
    current = api.post(url, {"move_out_date": "2027-01-20"}, headers=_key())
    assert current.status_code == 200 and current.json()["version"] == 3
    assert ChangeReport.objects.get().new_address == ""  # left out: emptied, as on the screen


def test_a_correction_is_refused_with_the_screens_very_messages(api, landlord, client):
    from django.urls import reverse

    change = _departure(api, landlord)
    url = f"{_base(landlord)}/changes/{change['id']}/correct"
    client.force_login(landlord.user)
    screen = reverse("obligations:change_correct", args=[landlord.portfolio.pk, change["id"]])
    for api_date, screen_date in (("2027-06-30", "30/06/2027"), ("2020-01-01", "01/01/2020"),
                                  ("31-12-2026", "31-12-2026")):  # fmt: skip
        refused = api.post(url, {"move_out_date": api_date}, headers=_key())
        assert refused.status_code == 422
        detail = refused.json()["detail"]
        page = _screen_text(client.post(screen, {"move_out_date": screen_date, "version": 1}))
        assert detail in page, detail
    assert not ChangeVersion.objects.exists()


def test_a_handled_change_cannot_be_corrected(api, landlord):
    from portail.obligations.services import handle_change

    change = _departure(api, landlord)
    handle_change(report_id=change["id"], agent=landlord.user)
    refused = api.post(
        f"{_base(landlord)}/changes/{change['id']}/correct",
        {"move_out_date": "2027-01-15"},
        headers=_key(),
    )
    assert refused.status_code == 422
    assert "ne peut plus être corrigé" in refused.json()["detail"]


# --- The unpaid rent's later steps ---------------------------------------------------------


def _unpaid(api, landlord) -> dict:
    response = api.post(
        f"{_base(landlord)}/unpaid-rent-reports",
        {"recipient_number": landlord.direct.recipient_number, **WORKED_EXAMPLE},
    )
    assert response.status_code == 201, response.content
    return response.json()


def _upload(api, url, content: bytes, *, headers):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import MULTIPART_CONTENT

    return api.post(
        url,
        {"file": SimpleUploadedFile("plan.pdf", content)},
        content_type=MULTIPART_CONTENT,
        headers=headers,
    )


def test_a_repayment_plan_is_sent_once_per_key_checked_as_on_the_screen(
    api, landlord, client, settings, tmp_path
):
    from django.urls import reverse

    from tests.backoffice.helpers import png_bytes

    settings.MEDIA_ROOT = tmp_path
    report = _unpaid(api, landlord)
    url = f"{_base(landlord)}/unpaid-rent-reports/{report['id']}/repayment-plans"
    fake = _upload(api, url, b"not a pdf at all", headers=_key())
    assert fake.status_code == 422
    client.force_login(landlord.user)
    screen = reverse("obligations:unpaid_plan", args=[landlord.portfolio.pk, report["id"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = _screen_text(client.post(screen, {"file": SimpleUploadedFile("p.pdf", b"not a pdf")}))
    assert fake.json()["detail"] in page
    assert fake.json()["errors"][0]["field"] == "file"
    key = _key()
    first = _upload(api, url, png_bytes(), headers=key)
    assert first.status_code == 201, first.content
    assert first.json()["content_type"] == "image/png" and first.json()["report_version"] == 2
    again = _upload(api, url, png_bytes(), headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert RepaymentPlan.objects.count() == 1
    assert len(list((tmp_path / "plans").rglob("*"))) == 2  # its folder and its one file
    other = _upload(api, url, png_bytes() + b"\0", headers=key)
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-key-reused")
    read = api.get(f"{_base(landlord)}/unpaid-rent-reports/{report['id']}").json()
    assert read["version"] == 2


def test_the_debt_is_declared_paid_off_once_with_the_screens_messages(api, landlord, client):
    from django.urls import reverse

    report = _unpaid(api, landlord)
    url = f"{_base(landlord)}/unpaid-rent-reports/{report['id']}/paid-off"
    client.force_login(landlord.user)
    screen = reverse("obligations:unpaid_paid_off", args=[landlord.portfolio.pk, report["id"]])
    for api_date, screen_date in (("2026-12-01", "01/12/2026"), ("2026-13-01", "2026-13-01")):
        refused = api.post(url, {"paid_off_on": api_date}, headers=_key())
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "paid_off_on"
        page = _screen_text(client.post(screen, {"paid_off_on": screen_date}))
        assert refused.json()["detail"] in page
    key = _key()
    first = api.post(url, {"paid_off_on": "2026-11-20"}, headers=key)
    assert first.status_code == 200, first.content
    assert (first.json()["paid_off_on"], first.json()["version"]) == ("2026-11-20", 2)
    again = api.post(url, {"paid_off_on": "2026-11-20"}, headers=key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert UnpaidRentEvent.objects.filter(kind="paid_off").count() == 1
    twice = api.post(url, {"paid_off_on": "2026-11-20"}, headers=_key())
    assert twice.status_code == 422 and "déjà déclaré cette dette soldée" in twice.json()["detail"]


def test_the_later_steps_need_a_declare_token_and_stay_in_its_portfolios(api, landlord, client):
    from tests.backoffice.helpers import png_bytes

    change = _departure(api, landlord)
    report = _unpaid(api, landlord)
    _token, clear = make_token(landlord.user, [landlord.portfolio], can_declare=False)
    reader = Api(client, clear)
    base = _base(landlord)
    steps = [
        (f"{base}/changes/{change['id']}/correct", {"move_out_date": "2027-01-15"}),
        (f"{base}/unpaid-rent-reports/{report['id']}/paid-off", {"paid_off_on": "2026-11-20"}),
    ]
    for url, body in steps:
        assert reader.post(url, body, headers=_key()).status_code == 403
    plans = f"{base}/unpaid-rent-reports/{report['id']}/repayment-plans"
    assert _upload(reader, plans, png_bytes(), headers=_key()).status_code == 403
    # Another landlord's reports, through its own portfolio or through this one: 404.
    stranger = make_landlord(email="autre@exemple.fr")
    _token, theirs = make_token(stranger.user, [stranger.portfolio])
    elsewhere = Api(client, theirs)
    for url, body in steps:
        assert elsewhere.post(url, body, headers=_key()).status_code == 404
        foreign = url.replace(base, _base(stranger))
        assert elsewhere.post(foreign, body, headers=_key()).status_code == 404
    assert _upload(elsewhere, plans, png_bytes(), headers=_key()).status_code == 404
    assert not RepaymentPlan.objects.exists() and not ChangeVersion.objects.exists()
    assert UnpaidRentReport.objects.get().paid_off_on is None


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_a_plan_record_it_once(settings, tmp_path):
    """Six retries at once with one key: the key claimed first, so one plan and one file are
    kept, and every retry gets the first answer."""
    import threading

    from django.db import connection
    from django.test import Client

    from tests.backoffice.helpers import png_bytes

    settings.MEDIA_ROOT = tmp_path
    landlord = make_landlord(email="gestion@exemple.fr")
    _token, clear = make_token(landlord.user, [landlord.portfolio])
    report = _unpaid(Api(Client(), clear), landlord)
    url = f"{_base(landlord)}/unpaid-rent-reports/{report['id']}/repayment-plans"
    barrier = threading.Barrier(6)
    answers = []

    def retry():
        client = Client()
        barrier.wait()
        try:
            answers.append(
                _upload(Api(client, clear), url, png_bytes(), headers={"Idempotency-Key": "same"})
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.json()["id"] for a in answers}) == 1
    assert RepaymentPlan.objects.count() == 1
    assert UnpaidRentEvent.objects.filter(kind="plan").count() == 1
    assert len([p for p in (tmp_path / "plans").rglob("*") if p.is_file()]) == 1


def test_reporting_and_withdrawing_with_a_key_answer_a_retry_as_the_first_time(api, landlord):
    base = _base(landlord)
    number = landlord.direct.recipient_number
    unpaid = {"recipient_number": number, **WORKED_EXAMPLE}
    departure = {"recipient_number": number, "kind": "departure", "move_out_date": "2026-12-31"}
    for path, body in ((f"{base}/unpaid-rent-reports", unpaid), (f"{base}/changes", departure)):
        key = _key()
        first = api.post(path, body, headers=key)
        again = api.post(path, body, headers=key)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        without_key = api.post(path, body)  # as before: judged again, « déjà … signalé/déclaré »
        assert without_key.status_code == 422 and "déjà" in without_key.json()["detail"]
    assert UnpaidRentReport.objects.count() == 1 and ChangeReport.objects.count() == 1
    change = ChangeReport.objects.get()
    key = _key()
    withdrawn = api.post(f"{base}/changes/{change.pk}/withdraw", headers=key)
    again = api.post(f"{base}/changes/{change.pk}/withdraw", headers=key)
    assert (withdrawn.status_code, again.status_code) == (200, 200)
    assert again.json() == withdrawn.json() and again.json()["version"] == 2
    assert api.post(f"{base}/changes/{change.pk}/withdraw").status_code == 422


def test_a_colleague_who_may_only_consult_is_told_as_on_the_screen(client, db):
    """A declare token made by a colleague with the right to consult only: 403 with the
    screens' very sentence, on every write of the obligations."""
    from portail.portfolios.models import Grant
    from tests.factories import GrantFactory, LegalLandlordFactory, UserFactory

    company = LegalLandlordFactory()
    world = make_landlord(landlord=company, is_landlord_admin=True)
    admin = Api(client, make_token(world.user, [world.portfolio])[1])
    change = _departure(admin, world)
    report = _unpaid(admin, world)
    colleague = UserFactory(landlord=company)
    GrantFactory(user=colleague, portfolio=world.portfolio, right=Grant.Right.CONSULT)
    reader = Api(client, make_token(colleague, [world.portfolio])[1])
    base = _base(world)
    number = world.other.recipient_number
    writes = [
        (f"{base}/changes", {"recipient_number": number, "kind": "departure",
                             "move_out_date": "2026-12-31"}),
        (f"{base}/changes/{change['id']}/correct", {"move_out_date": "2027-01-15"}),
        (f"{base}/changes/{change['id']}/withdraw", None),
        (f"{base}/unpaid-rent-reports/{report['id']}/paid-off", {"paid_off_on": "2026-11-20"}),
    ]  # fmt: skip
    client.force_login(colleague)
    from django.urls import reverse

    screen = client.get(
        reverse("obligations:departure_new", args=[world.portfolio.pk, world.other.pk])
    )
    assert screen.status_code == 403
    for url, body in writes:
        refused = reader.post(url, body, headers=_key())
        assert refused.status_code == 403, url
        assert refused.json()["detail"] == (
            "Vous pouvez consulter ce parc mais pas y faire de déclaration."
        )
    assert ChangeReport.objects.get().version == 1
