"""The payments.csv part of the feed import (feed.services.import_feed calls it): the file
read in one tight loop, payments checked against the tenancies, then written in bulk, and the
monthly totals recounted.

A feed may carry 1.2 million payments (100,000 tenancies over a year). Lines are read with
``csv.reader`` and checked by parsing's functions, which convert each distinct text once (months,
dates, amounts and numbers repeat); no ORM object is built per line. New payments are inserted
as values already in the database's form by one ``executemany`` (COPY on PostgreSQL) inside
the import's transaction; what the portal already holds is read in one pass as raw values."""

import csv
import datetime
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

from django.db import DEFAULT_DB_ALIAS, connections

from portail.payments.models import Payment
from portail.payments.services import refresh_month_totals, tenancies_of_numbers

from . import parsing
from .bulk import BATCH, chunks, insert_prepared

COLUMNS = ("reference", "tenancy_id", "portfolio_id", "recipient_number", "period", "amount")
COLUMNS += ("paid_on",)
# Django's SQLite backend takes at most 999 parameters a query.
_LOOKUP = 900
# The order of the month index (portfolio, month, number, reference) in a prepared row.
_INDEX_ORDER = operator.itemgetter(2, 4, 3, 0)
_CENT = Decimal("0.01")


def read_payments(handle: TextIO, error: Callable[[int, str], None]) -> dict[str, tuple]:
    """reference -> (line number, (number, period, amount, paid_on)) for every good line of
    payments.csv; each bad line goes to ``error(line, reason)``. The checks are parsing's
    (payment_reference, payment_values), as for the other files, read without a dict a line."""
    rows: dict[str, tuple] = {}
    reader = csv.reader(handle)
    header = next(reader, [])
    missing = [column for column in parsing.PAYMENT_COLUMNS if column not in header]
    if missing:
        error(1, f"missing columns: {', '.join(missing)}")
        return rows
    width = len(header)
    fields_of = operator.itemgetter(*(header.index(c) for c in parsing.PAYMENT_COLUMNS))
    reference_of, values_of = parsing.payment_reference, parsing.payment_values
    for fields in reader:
        if len(fields) != width:
            if fields:  # a blank line is skipped, as csv.DictReader does for the other files
                error(reader.line_num, "wrong number of fields")
            continue
        number, period, amount, paid_on, reference = fields_of(fields)
        try:
            key = reference_of(reference)
            values = values_of(number, period, amount, paid_on)
        except parsing.FeedLineError as problem:
            error(reader.line_num, str(problem))
            continue
        first = rows.get(key)
        if first is not None:
            error(reader.line_num, f"{key} already given on line {first[0]}")
            continue
        rows[key] = (reader.line_num, values)
    return rows


def write_payments(rows: dict[str, tuple], counts, *, tenancies: dict | None = None) -> set:
    """Create the payments new to the portal, update those whose values differ (by reference);
    ``rows``: read_payments' (all checked); ``tenancies``: number -> (tenancy id, portfolio
    id), loaded once (tenancies_of_numbers) when not given. Returns the (portfolio id, month)
    whose payments changed."""
    if tenancies is None:
        tenancies = tenancies_of_numbers({values[0] for _line, values in rows.values()})
    existing = _existing(rows)
    months = set()
    dates, amounts = _database_forms()
    to_create, to_update = [], []
    for reference, (_line, (number, period, amount, paid_on)) in rows.items():
        tenancy_id, portfolio_id = tenancies[number]
        current = existing.get(reference) if existing else None
        if current is None:
            to_create.append(
                (
                    reference,
                    tenancy_id,
                    portfolio_id,
                    number,
                    dates[period],
                    amounts[amount],
                    dates[paid_on],
                )
            )
            months.add((portfolio_id, period))
            continue
        values = (tenancy_id, portfolio_id, number, period, amount, paid_on)
        if current[1:] != values:
            to_update.append(Payment(pk=current[0], reference=reference, **_fields(values)))
            months.update({(portfolio_id, period), (current[2], current[4])})
        else:
            counts.unchanged += 1
    # In the order of the month index: its pages fill one after the other.
    to_create.sort(key=_INDEX_ORDER)
    insert_prepared(Payment, list(COLUMNS), to_create)
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
    payments of these references the portal holds: one pass over the table, as raw values,
    when the file covers a good part of it (a year's feed), else lookups by reference."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Payment._meta.db_table}")  # noqa: S608
        total = cursor.fetchone()[0]
    if total == 0:  # the first import of payments: nothing to compare
        return {}
    if total > 4 * len(references):
        found = {}
        fields = ("pk", "reference", *COLUMNS[1:])
        for chunk in chunks(sorted(references), _LOOKUP):
            for pk, reference, *values in Payment.objects.filter(reference__in=chunk).values_list(
                *fields
            ):
                found[reference] = (pk, *values)
        return found
    return _scan(db, references)


def _scan(db, references: dict) -> dict[str, tuple]:
    """Every payment of these references, read in one pass as raw values (no converter a
    row: SQLite gives dates as text and amounts as numbers, each distinct one converted once)."""
    quote = db.ops.quote_name
    text = db.vendor == "sqlite"
    columns = ", ".join(
        f"CAST({quote(c)} AS TEXT)" if text and c in ("period", "amount", "paid_on") else quote(c)
        for c in ("id", "reference", *COLUMNS[1:])
    )
    dates = _Converted(datetime.date.fromisoformat if text else None)
    amounts = _Converted(_stored_amount if text else None)
    found = {}
    with db.cursor() as cursor:
        # Table and column names come from the model.
        cursor.execute(f"SELECT {columns} FROM {quote(Payment._meta.db_table)}")  # noqa: S608
        while batch := cursor.fetchmany(10_000):
            for pk, reference, tenancy_id, portfolio_id, number, period, amount, paid in batch:
                if reference in references:
                    found[reference] = (
                        pk,
                        tenancy_id,
                        portfolio_id,
                        number,
                        dates[period],
                        amounts[amount],
                        dates[paid],
                    )
    return found


class _Converted(dict):
    """A value -> its converted form, each distinct value converted once (kept as it is
    without a conversion: PostgreSQL's driver already gives dates and decimals)."""

    def __init__(self, convert):
        super().__init__()
        self._convert = convert

    def __missing__(self, raw):
        value = self[raw] = self._convert(raw) if self._convert else raw
        return value


def _stored_amount(text: str) -> Decimal:
    """An amount SQLite gives back as text (300, 412.5, 412.55) as the field's Decimal."""
    return Decimal(text).quantize(_CENT)


def _database_forms() -> tuple[dict, dict]:
    """Dates and amounts -> their database form (each distinct one prepared once)."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = {f.attname: f for f in Payment._meta.concrete_fields}
    return (
        _Converted(lambda value: fields["period"].get_db_prep_save(value, db)),
        _Converted(lambda value: fields["amount"].get_db_prep_save(value, db)),
    )
