"""Sources of the declarations export (export_declarations): what landlords declared, each
source one function giving its rows recorded in a window of time, oldest first.

A source function takes ``after`` (exclusive; None: from the start) and ``until``
(inclusive) and yields tuples in its columns' order, ordered by (time recorded, id). Columns
are the contract with the agency's main system (README, "Declarations sent back")."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q

from portail.rents.models import JulyRent, RentDeclaration


@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[datetime.datetime | None, datetime.datetime], Iterable[tuple]]


RENT_COLUMNS = (
    "recipient_number",
    "portfolio_ref",
    "year",
    "amount",
    "version",
    "channel",
    "declared_at",
    "declared_by",
    "submission_id",
)
_READ = 2000


def _window(field: str, after, until) -> Q:
    window = Q(**{f"{field}__lte": until})
    return window & Q(**{f"{field}__gt": after}) if after is not None else window


def _rent_rows(queryset, at: str, by: str):
    values = queryset.order_by(at, "pk").values_list(
        "tenancy__recipient_number",
        "tenancy__portfolio__ref",
        "year",
        "amount",
        "version",
        "submission__channel",
        at,
        f"{by}__user_number",
        "submission_id",
    )
    for row in values.iterator(chunk_size=_READ):
        yield (*row[:3], f"{row[3]:.2f}", *row[4:6], _instant(row[6]), *row[7:])


def _instant(value: datetime.datetime) -> str:
    """2026-11-27T09:30:00.123456Z: an instant in UTC."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def july_rents(after, until) -> Iterable[tuple]:
    """July rents whose current version a landlord declared in the window (online or by
    file); a correction is a new version, declared anew."""
    declared = JulyRent.objects.filter(submission__isnull=False)
    return _rent_rows(
        declared.filter(_window("recorded_at", after, until)), "recorded_at", "recorded_by"
    )


def superseded_july_rents(after, until) -> Iterable[tuple]:
    """Versions declared in the window that a correction (or the agency's own value) replaced
    before this export: with july_rents, every declared version once."""
    superseded = RentDeclaration.objects.filter(_window("declared_at", after, until))
    return _rent_rows(superseded, "declared_at", "declared_by")


SOURCES = (
    Source("july_rents", RENT_COLUMNS, july_rents),
    Source("superseded_july_rents", RENT_COLUMNS, superseded_july_rents),
)
