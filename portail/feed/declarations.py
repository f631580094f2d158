"""Sources of the declarations export (export_declarations): what landlords declared, each
source one function giving its rows recorded in a window of time, oldest first.

A source function takes ``after`` (exclusive; None: from the start) and ``until``
(inclusive) and yields tuples in its columns' order, ordered by (time recorded, id). Columns
are the contract with the agency's main system (README, "Declarations sent back")."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from portail.obligations.models import ChangeReport, ChangeVersion, UnpaidRentEvent
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


UNPAID_COLUMNS = (
    "report_id",
    "version",
    "event",
    "status",
    "reason",
    "at",
    "by",
    "recipient_number",
    "portfolio_ref",
    "reported_at",
    "first_unpaid_month",
    "monthly_rent",
    "monthly_charges",
    "direct_payment",
    "aid",
    "amount_owed",
    "tenant_pays_part",
    "threshold",
    "threshold_reached_on",
    "deadline",
    "plan_due_on",
    "paid_off_on",
)


def _text(value) -> str:
    """A cell: dates in ISO, instants in UTC, amounts with 2 decimals, booleans as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return _instant(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def unpaid_rent_reports(after, until) -> Iterable[tuple]:
    """Each step of an unpaid-rent report recorded in the window (reported, a state set by
    the agency, repayment plan sent, debt declared paid off), with the report's facts."""
    report = "report__"
    events = UnpaidRentEvent.objects.filter(_window("at", after, until)).order_by("at", "pk")
    values = events.values_list(
        "report_id",
        "version",
        "kind",
        "status",
        "reason",
        "at",
        "actor__user_number",
        f"{report}tenancy__recipient_number",
        f"{report}portfolio__ref",
        *(f"{report}{name}" for name in UNPAID_COLUMNS[9:]),
    )
    for row in values.iterator(chunk_size=_READ):
        yield tuple(_text(value) for value in row)


CHANGE_COLUMNS = (
    "change_id",
    "version",
    "kind",
    "status",
    "recipient_number",
    "portfolio_ref",
    "move_out_date",
    "lease_end_date",
    "new_address",
    "co_tenant_count",
    "change_date",
    "end_reason",
    "declared_at",
    "declared_by",
)
_CHANGE_CONTENT = CHANGE_COLUMNS[6:12]


def changes(after, until) -> Iterable[tuple]:
    """Changes (departure, co-tenants, end of management) whose current version a landlord
    declared in the window; ``status`` is the change's at the time of the export."""
    current = ChangeReport.objects.filter(_window("version_at", after, until))
    values = current.order_by("version_at", "pk").values_list(
        "pk",
        "version",
        "kind",
        "status",
        "tenancy__recipient_number",
        "portfolio__ref",
        *_CHANGE_CONTENT,
        "version_at",
        "version_by__user_number",
    )
    for row in values.iterator(chunk_size=_READ):
        yield tuple(_text(value) for value in row)


def superseded_changes(after, until) -> Iterable[tuple]:
    """Versions of changes declared in the window that a correction replaced before this
    export (status ``superseded``): with changes, every declared version once."""
    versions = ChangeVersion.objects.filter(_window("declared_at", after, until))
    values = versions.order_by("declared_at", "pk").values_list(
        "report_id",
        "version",
        "kind",
        "report__tenancy__recipient_number",
        "report__portfolio__ref",
        *_CHANGE_CONTENT,
        "declared_at",
        "declared_by__user_number",
    )
    for row in values.iterator(chunk_size=_READ):
        yield tuple(_text(value) for value in (*row[:3], "superseded", *row[3:]))


CHANGE_STATE_COLUMNS = ("change_id", "version", "status", "at", "recipient_number")
CHANGE_STATE_COLUMNS += ("portfolio_ref",)


def change_states(after, until) -> Iterable[tuple]:
    """Changes that reached their final state in the window: withdrawn by the landlord, or
    handled (by an agent, or confirmed by the feed closing the tenancy). Final: each once."""
    final = ChangeReport.objects.filter(
        _window("updated_at", after, until),
        status__in=[ChangeReport.Status.WITHDRAWN, ChangeReport.Status.HANDLED],
    )
    values = final.order_by("updated_at", "pk").values_list(
        "pk", "version", "status", "updated_at", "tenancy__recipient_number", "portfolio__ref"
    )
    for row in values.iterator(chunk_size=_READ):
        yield tuple(_text(value) for value in row)


SOURCES = (
    Source("july_rents", RENT_COLUMNS, july_rents),
    Source("superseded_july_rents", RENT_COLUMNS, superseded_july_rents),
    Source("unpaid_rent_reports", UNPAID_COLUMNS, unpaid_rent_reports),
    Source("changes", CHANGE_COLUMNS, changes),
    Source("superseded_changes", CHANGE_COLUMNS, superseded_changes),
    Source("change_states", CHANGE_STATE_COLUMNS, change_states),
)
