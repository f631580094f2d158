"""The payments.csv part of the feed import (feed.services.import_feed calls it): direct
payments checked against the tenancies, then written in bulk, and the monthly totals recounted.

A feed may carry 1.2 million payments (100,000 tenancies over a year): lines are kept as
tuples of shared values while the file is checked, and new payments are inserted as values
already in the database's form (each distinct date or amount prepared once)."""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections

from portail.payments.models import Payment
from portail.payments.services import refresh_month_totals, tenancies_of_numbers

from .bulk import BATCH, chunks, insert_prepared

COLUMNS = ("reference", "tenancy_id", "portfolio_id", "recipient_number", "period", "amount")
COLUMNS += ("paid_on",)
# Django's SQLite backend takes at most 999 parameters a query.
_LOOKUP = 900


def write_payments(rows: dict[str, tuple], counts, *, tenancies: dict | None = None) -> set:
    """Create the payments new to the portal, update those whose values differ (by reference);
    ``rows``: reference -> (recipient number, period, amount, paid_on), all checked. Returns
    the (portfolio id, month) whose payments changed."""
    tenancies = tenancies or tenancies_of_numbers({values[0] for values in rows.values()})
    wanted = {}
    for reference, (number, period, amount, paid_on) in rows.items():
        tenancy_id, portfolio_id = tenancies[number]
        wanted[reference] = (tenancy_id, portfolio_id, number, period, amount, paid_on)
    existing = _existing(wanted)
    months = set()
    to_create, to_update = [], []
    for reference, values in wanted.items():
        current = existing.get(reference)
        if current is None:
            to_create.append((reference, *values))
            months.add((values[1], values[3]))
        elif current[1:] != values:
            to_update.append(Payment(pk=current[0], reference=reference, **_fields(values)))
            months.update({(values[1], values[3]), (current[2], current[4])})
        else:
            counts.unchanged += 1
    # In the order of the month index (portfolio, month, number): its pages fill one by one.
    to_create.sort(key=lambda row: (row[2], row[4], row[3], row[0]))
    insert_prepared(Payment, list(COLUMNS), map(_preparer(), to_create))
    if to_update:
        Payment.objects.bulk_update(
            to_update,
            ["tenancy_id", "portfolio_id", "recipient_number", "period", "amount", "paid_on"],
            batch_size=BATCH,
        )
    counts.created += len(to_create)
    counts.updated += len(to_update)
    refresh_month_totals(months=months)
    return months


def _fields(values: tuple) -> dict:
    return dict(zip(COLUMNS[1:], values, strict=True))


def _existing(references: dict) -> dict[str, tuple]:
    """reference -> (pk, tenancy id, portfolio id, number, period, amount, paid_on) for the
    payments of these references the portal holds: one pass over the table when the file
    covers a good part of it (a year's feed), else lookups by reference."""
    found = {}
    total = Payment.objects.count()
    if total == 0:  # the first import of payments: nothing to compare
        return found
    fields = ("pk", "reference", *COLUMNS[1:])
    if total <= 4 * len(references):
        for pk, reference, *values in Payment.objects.values_list(*fields).iterator(10_000):
            if reference in references:
                found[reference] = (pk, *values)
        return found
    for chunk in chunks(sorted(references), _LOOKUP):
        for pk, reference, *values in Payment.objects.filter(reference__in=chunk).values_list(
            *fields
        ):
            found[reference] = (pk, *values)
    return found


def _preparer() -> Callable[[tuple], tuple]:
    """A function giving a new payment's values in the database's form, in COLUMNS order;
    dates and amounts repeat across a feed, each distinct one is prepared once."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = {f.attname: f for f in Payment._meta.concrete_fields}
    date_field, amount_field = fields["period"], fields["amount"]
    dates, amounts = {}, {}

    def date(value):
        if value not in dates:
            dates[value] = date_field.get_db_prep_save(value, db)
        return dates[value]

    def amount(value):
        if value not in amounts:
            amounts[value] = amount_field.get_db_prep_save(value, db)
        return amounts[value]

    def prepared(row: tuple) -> tuple:
        reference, tenancy_id, portfolio_id, number, period, value, paid_on = row
        return (
            reference,
            tenancy_id,
            portfolio_id,
            number,
            date(period),
            amount(value),
            date(paid_on),
        )

    return prepared
