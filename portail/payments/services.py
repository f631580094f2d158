"""Writes of payments besides their import (portail/feed): the monthly totals and the
portfolio a payment is filed under, kept in line with the payments and their tenancies."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from portail.portfolios.models import Tenancy

from .models import Payment, PaymentMonth

_CHUNK = 500


@transaction.atomic
def refresh_month_totals(*, months: Iterable[tuple[int, object]]) -> None:
    """Recount the (portfolio id, first day of month) totals given, from the payments: one
    DELETE and one INSERT ... SELECT ... GROUP BY per 500 months, on the month index."""
    months = sorted(set(months))
    payments, totals = Payment._meta.db_table, PaymentMonth._meta.db_table
    for start in range(0, len(months), _CHUNK):
        chunk = months[start : start + _CHUNK]
        for portfolio_id, period in chunk:
            PaymentMonth.objects.filter(portfolio_id=portfolio_id, period=period).delete()
        where = " OR ".join(["(portfolio_id = %s AND period = %s)"] * len(chunk))
        params = [value for month in chunk for value in month]
        with connection.cursor() as cursor:
            # Table names from the models; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {totals} (portfolio_id, period, payment_count, total) "  # noqa: S608
                f"SELECT portfolio_id, period, COUNT(*), SUM(amount) FROM {payments} "
                f"WHERE {where} GROUP BY portfolio_id, period",
                params,
            )


@transaction.atomic
def follow_moved_tenancies(*, tenancy_ids: Iterable[int]) -> int:
    """File the payments of these tenancies under the portfolio each tenancy is in now (after
    the feed moved one), and recount the months concerned; returns how many payments moved."""
    ids = sorted(set(tenancy_ids))
    moved = 0
    months = set()
    for start in range(0, len(ids), _CHUNK):
        stale = Payment.objects.filter(tenancy_id__in=ids[start : start + _CHUNK]).exclude(
            portfolio_id=F("tenancy__portfolio_id")
        )
        rows = list(stale.values_list("pk", "portfolio_id", "period", "tenancy__portfolio_id"))
        by_portfolio: dict[int, list[int]] = {}
        for pk, old, period, new in rows:
            months.update({(old, period), (new, period)})
            by_portfolio.setdefault(new, []).append(pk)
        for portfolio_id, pks in by_portfolio.items():
            Payment.objects.filter(pk__in=pks).update(portfolio_id=portfolio_id)
        moved += len(rows)
    if months:
        refresh_month_totals(months=months)
    return moved


def tenancies_of_numbers(numbers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """recipient number -> (tenancy id, portfolio id) for the tenancies that exist: lookups
    by 500 numbers, or one pass over the tenancies when the numbers are a good part of them
    (a year's payments feed names every tenancy paid directly)."""
    numbers = sorted(set(numbers))
    tenancies = Tenancy.objects.values_list("recipient_number", "pk", "portfolio_id")
    if len(numbers) > _CHUNK and 4 * len(numbers) >= Tenancy.objects.count():
        wanted = set(numbers)
        return {
            number: (pk, portfolio_id)
            for number, pk, portfolio_id in tenancies.iterator(chunk_size=10_000)
            if number in wanted
        }
    found = {}
    for start in range(0, len(numbers), _CHUNK):
        found.update(
            (number, (pk, portfolio_id))
            for number, pk, portfolio_id in tenancies.filter(
                recipient_number__in=numbers[start : start + _CHUNK]
            )
        )
    return found
