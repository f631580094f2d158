"""payments.csv in the agency's feed: idempotent, all or nothing, every bad line reported."""

import datetime
import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portail.payments.models import Payment, PaymentMonth
from portail.portfolios.models import Portfolio, Tenancy

from ..conftest import DEMO_FEED

pytestmark = pytest.mark.django_db
HEADER = "recipient_number,period,amount,paid_on,reference\n"


@pytest.fixture
def feed(tmp_path):
    directory = tmp_path / "feed"
    shutil.copytree(DEMO_FEED, directory)
    return directory


def run(directory) -> str:
    out = StringIO()
    call_command("import_feed", str(directory), stdout=out)
    return out.getvalue()


def months():
    return list(
        PaymentMonth.objects.order_by("portfolio_id", "period").values_list(
            "portfolio__ref", "period", "payment_count", "total"
        )
    )


def test_the_demo_payments_are_imported_with_their_monthly_totals(feed):
    lines = (feed / "payments.csv").read_text().splitlines()[1:]
    output = run(feed)
    assert f"payments.csv: {len(lines)} created, 0 updated, 0 unchanged" in output
    assert Payment.objects.count() == len(lines)
    first = lines[0].split(",")
    payment = Payment.objects.get(reference=first[4])
    assert payment.tenancy.recipient_number == first[0]
    assert payment.period == datetime.date(int(first[1][:4]), int(first[1][5:]), 1)
    assert payment.amount == Decimal(first[2])
    assert payment.portfolio_id == payment.tenancy.portfolio_id
    # The maintained totals equal the sums of the payments, month by month.
    for ref, period, count, total in months():
        mine = Payment.objects.filter(portfolio__ref=ref, period=period)
        assert count == mine.count()
        assert total == sum(p.amount for p in mine)


def test_a_second_import_changes_nothing_and_a_changed_line_is_updated(feed):
    run(feed)
    before = (list(Payment.objects.order_by("pk").values()), months())
    assert "payments.csv: 0 created, 0 updated, 894 unchanged" in run(feed)
    assert (list(Payment.objects.order_by("pk").values()), months()) == before
    payment = Payment.objects.order_by("pk").first()
    (feed / "payments.csv").write_text(
        HEADER + f"{payment.recipient_number},{payment.period:%Y-%m},12.34,2025-12-01,"
        f"{payment.reference}\n",
        encoding="utf-8",
    )
    assert "payments.csv: 0 created, 1 updated, 0 unchanged" in run(feed)
    payment.refresh_from_db()
    assert payment.amount == Decimal("12.34")
    month = PaymentMonth.objects.get(portfolio=payment.portfolio, period=payment.period)
    assert month.total == sum(
        p.amount for p in Payment.objects.filter(portfolio=payment.portfolio, period=payment.period)
    )


def test_every_bad_line_is_reported_and_nothing_changes(feed):
    run(feed)
    number = Tenancy.objects.order_by("pk").first().recipient_number
    (feed / "payments.csv").write_text(
        HEADER
        + f"{number},2026-13,100.00,2026-01-05,R1\n"
        + f"{number},2026-01,100,00,2026-01-05,R2\n"
        + f"{number},2026-01,-5.00,2026-01-05,R3\n"
        + "9999999,2026-01,100.00,2026-01-05,R4\n"
        + f"{number},2026-01,100.00,05/01/2026,R5\n"
        + f"{number},2026-01,100.00,2026-01-05,R6\n"
        + f"{number},2026-02,100.00,2026-02-05,R6\n"
        + f"{number},2026-02,100.00,2026-02-05,bad ref\n",
        encoding="utf-8",
    )
    count = Payment.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="7 bad line"):
        call_command("import_feed", str(feed), stdout=StringIO(), stderr=err)
    report = err.getvalue().splitlines()
    assert report == [
        "payments.csv line 2: period '2026-13' is not a month (expected YYYY-MM)",
        "payments.csv line 3: wrong number of fields",
        "payments.csv line 4: amount '-5.00' is not a positive amount with a dot (e.g. 650.50)",
        "payments.csv line 5: recipient_number '9999999' is unknown "
        "(not in tenancies.csv nor in the portal)",
        "payments.csv line 6: paid_on '05/01/2026' is not a date (expected YYYY-MM-DD)",
        "payments.csv line 8: R6 already given on line 7",
        "payments.csv line 9: reference 'bad ref' is not a reference "
        "(1 to 32 letters, digits, - or _)",
    ]
    assert Payment.objects.count() == count


def test_columns_in_any_order_blank_lines_and_spaces_are_read_as_the_other_files(feed):
    run(feed)
    number = Tenancy.objects.order_by("pk").first().recipient_number
    (feed / "payments.csv").write_text(
        "reference,paid_on,amount,period,recipient_number\r\n"
        + f"X1, 2026-01-05 , 100.5,2026-01 , {number}\r\n"
        + "\r\n"
        + f'"X2",2026-02-05,"99.99",2026-02,{number}\r\n',
        encoding="utf-8-sig",
    )
    assert "payments.csv: 2 created" in run(feed)
    assert sorted(
        Payment.objects.filter(reference__in=["X1", "X2"]).values_list(
            "reference", "period", "amount", "paid_on"
        )
    ) == [
        ("X1", datetime.date(2026, 1, 1), Decimal("100.50"), datetime.date(2026, 1, 5)),
        ("X2", datetime.date(2026, 2, 1), Decimal("99.99"), datetime.date(2026, 2, 5)),
    ]
    assert "payments.csv: 0 created, 0 updated, " in run(feed)


def test_a_header_without_a_column_or_a_malformed_number_is_reported(feed):
    run(feed)
    (feed / "payments.csv").write_text(
        "recipient_number,period,amount,reference\n1234567,2026-01,1.00,R\n"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_feed", str(feed), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == ["payments.csv line 1: missing columns: paid_on"]
    (feed / "payments.csv").write_text(HEADER + "12AB,2026-01,1.00,2026-01-05,R\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_feed", str(feed), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "payments.csv line 2: recipient_number '12AB' is not 7 to 13 digits"
    ]


def test_a_tenancy_moved_by_the_feed_takes_its_payments_and_totals_along(feed):
    run(feed)
    payment = Payment.objects.order_by("pk").first()
    tenancy = payment.tenancy
    target = Portfolio.objects.exclude(pk=tenancy.portfolio_id).order_by("pk").first()
    (feed / "tenancies.csv").write_text(
        "recipient_number,portfolio_ref,tenant_name,dwelling_address,start_date,end_date,"
        f"direct_payment\n{tenancy.recipient_number},{target.ref},{tenancy.tenant_name},"
        f'"{tenancy.dwelling_address}",{tenancy.start_date},,1\n',
        encoding="utf-8",
    )
    for name in ("landlords.csv", "portfolios.csv", "rents.csv", "payments.csv"):
        (feed / name).unlink()
    run(feed)
    assert set(Payment.objects.filter(tenancy=tenancy).values_list("portfolio", flat=True)) == {
        target.pk
    }
    for ref, period, count, total in months():
        mine = Payment.objects.filter(portfolio__ref=ref, period=period)
        assert (count, total) == (mine.count(), sum(p.amount for p in mine))
    moved = PaymentMonth.objects.get(portfolio=target, period=payment.period)
    assert moved.total == payment.amount
