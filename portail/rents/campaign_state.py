"""Keeping the states of tenancies in a campaign (TenancyCampaignState) and their counts per
portfolio (CampaignStatusCount) equal to what rules.declaration_status says, in the writing
transaction.

Every write that changes what the status reads calls refresh_states for the tenancies it
touched: single saves and deletes of a tenancy or a July rent through the signals connected in
RentsConfig.ready (screen declarations, receipts, the admin, the factories of tests), the set
writes explicitly (the file of rents, the feed, a reported departure). A refresh deletes the
tenancies' states (RETURNING the old ones, which locks them: a concurrent refresh of the same
tenancy waits, then reads what this one wrote), inserts them recomputed by the database from
declaration_status_sql (RETURNING the new ones), and moves the counts by the difference in one
INSERT ... ON CONFLICT DO UPDATE, in a fixed order, after the states: two transactions never
wait on each other's counts in opposite orders. build_year builds a campaign year at its turn
of year; verify_year compares what is kept with a recomputation (manage.py
rebuild_campaign_state)."""

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    DecimalField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from portail.common import clock
from portail.portfolios.models import Tenancy

from . import rules
from .models import JulyRent
from .selectors import declared_in
from .state_models import CampaignStateYear, CampaignStatusCount, TenancyCampaignState
from .tenant_list import with_rents

CHUNK = 500
VERIFY_CHUNK = 5000
UNKNOWN_RENT = Decimal("-1.00")  # the sort key of a rent the agency does not know
STATE_COLUMNS = (
    "tenancy_id",
    "portfolio_id",
    "year",
    "status",
    "tenant_name",
    "recipient_number",
    "rent_current_key",
    "rent_previous_key",
    "concerned",
    "landlord_declared",
)


def built_years(years: Iterable[int] | None = None) -> list[int]:
    """The campaign years whose states are kept (among ``years`` when given)."""
    found = CampaignStateYear.objects.order_by("year")
    if years is not None:
        found = found.filter(year__in=list(years))
    return list(found.values_list("year", flat=True))


def computed_states(tenancies, *, year: int, few: bool = False):
    """The states of these tenancies in year N as the rule computes them: a values_list in
    STATE_COLUMNS order (the database evaluates declaration_status_sql). ``few``: a chunk of
    tenancies, whose rents are looked up one by one on their index (a join would hash every
    rent of the year for 500 tenancies)."""
    amount = DecimalField(max_digits=9, decimal_places=2)
    return (
        (_with_rents_looked_up(tenancies, year=year) if few else with_rents(tenancies, year=year))
        .annotate(
            state_year=Value(year, output_field=IntegerField()),
            current_key=Coalesce("rent_current", Value(UNKNOWN_RENT), output_field=amount),
            previous_key=Coalesce("rent_previous", Value(UNKNOWN_RENT), output_field=amount),
            is_concerned=ExpressionWrapper(rules.active_in_july_q(year), BooleanField()),
            is_declared=ExpressionWrapper(declared_in(year), BooleanField()),
        )
        .values_list(
            "pk",
            "portfolio_id",
            "state_year",
            "status",
            "tenant_name",
            "recipient_number",
            "current_key",
            "previous_key",
            "is_concerned",
            "is_declared",
        )
        .order_by()
    )


def _with_rents_looked_up(tenancies, *, year: int):
    """with_rents' rents and status for a few tenancies, by correlated lookups."""

    def rent_of(rent_year: int):
        return Subquery(
            JulyRent.objects.filter(tenancy=OuterRef("pk"), year=rent_year).values("amount")[:1]
        )

    return tenancies.annotate(rent_previous=rent_of(year - 1), rent_current=rent_of(year)).annotate(
        status=rules.declaration_status_sql(year)
    )


def refresh_states(tenancy_ids: Iterable[int], *, years: Iterable[int] | None = None) -> None:
    """Recompute the states of these tenancies in the kept years (among ``years`` when given)
    and move the counts by the difference; inside the caller's transaction."""
    ids = sorted(set(tenancy_ids))
    if not ids:
        return
    kept = built_years(years)
    if not kept:
        return
    deltas: Counter = Counter()
    with transaction.atomic():
        for year in kept:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                _count(deltas, year, _delete_states(chunk, year=year), sign=-1)
                _count(deltas, year, _insert_states(chunk, year=year), sign=1)
        _move_counts(deltas)


def forget_states(tenancy_ids: Iterable[int]) -> None:
    """A tenancy about to be deleted leaves the counts of every year."""
    ids = sorted(set(tenancy_ids))
    deltas: Counter = Counter()
    with transaction.atomic():
        for year in built_years():
            for start in range(0, len(ids), CHUNK):
                _count(deltas, year, _delete_states(ids[start : start + CHUNK], year=year), -1)
        _move_counts(deltas)


def _delete_states(ids: list[int], *, year: int) -> list[tuple]:
    table = TenancyCampaignState._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE year = %s AND tenancy_id IN ({marks}) "  # noqa: S608
            "RETURNING portfolio_id, status, concerned, landlord_declared",
            [year, *ids],
        )
        return cursor.fetchall()


def _insert_states(ids: list[int] | None, *, year: int) -> list[tuple]:
    """Insert the computed states of these tenancies (of every tenancy when ``ids`` is None)."""
    tenancies = Tenancy.objects.all() if ids is None else Tenancy.objects.filter(pk__in=ids)
    sql, params = computed_states(tenancies, year=year, few=ids is not None).query.sql_with_params()
    table = TenancyCampaignState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(STATE_COLUMNS)}) {sql} "  # noqa: S608
            "RETURNING portfolio_id, status, concerned, landlord_declared",
            params,
        )
        return cursor.fetchall()


def _count(deltas: Counter, year: int, rows: list[tuple], sign: int) -> None:
    for portfolio_id, status, concerned, declared in rows:
        key = (portfolio_id, year, status)
        deltas[(*key, "tenancies")] += sign
        deltas[(*key, "concerned")] += sign * bool(concerned)
        deltas[(*key, "declared")] += sign * bool(concerned and declared)


def _move_counts(deltas: Counter) -> None:
    """Add the differences to the counts: one statement, rows in a fixed order."""
    keys = sorted({key[:3] for key, value in deltas.items() if value})
    if not keys:
        return
    rows = [
        (*key, deltas[(*key, "tenancies")], deltas[(*key, "concerned")], deltas[(*key, "declared")])
        for key in keys
    ]
    table = CampaignStatusCount._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (portfolio_id, year, status, tenancies, concerned, declared) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (portfolio_id, year, status) DO UPDATE SET "
            f"tenancies = {table}.tenancies + excluded.tenancies, "
            f"concerned = {table}.concerned + excluded.concerned, "
            f"declared = {table}.declared + excluded.declared",
            [value for row in rows for value in row],
        )


# --- A whole year: the turn of year, the check ------------------------------------------------


@transaction.atomic
def build_year(year: int) -> int:
    """Build (or rebuild) the states and counts of every tenancy in the campaign of year N, and
    keep them from now on; returns the number of states. On PostgreSQL the tables the status
    reads are locked against writes until the end (a declaration waits a moment, then keeps the
    new year too); SQLite has one writer anyway."""
    if connection.vendor == "postgresql":
        from .models import RentDeclaration

        tables = [m._meta.db_table for m in (Tenancy, JulyRent, RentDeclaration)]
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE MODE")
    TenancyCampaignState.objects.filter(year=year).delete()
    CampaignStatusCount.objects.filter(year=year).delete()
    deltas: Counter = Counter()
    states = _insert_states(None, year=year)
    _count(deltas, year, states, sign=1)
    _move_counts(deltas)
    CampaignStateYear.objects.update_or_create(year=year, defaults={"built_at": clock.now()})
    return len(states)


def verify_year(year: int) -> list[str]:
    """What differs between the kept states and counts of year N and a recomputation (English,
    for the command's report); empty when they agree. Reads the tenancies by chunks of
    VERIFY_CHUNK ids, so a national database is checked in bounded memory."""
    if year not in built_years([year]):
        return [f"year {year} is not built"]
    problems, counts = [], Counter()
    ids = list(Tenancy.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), VERIFY_CHUNK):
        chunk = ids[start : start + VERIFY_CHUNK]
        kept = {
            row[0]: _normalised(row)
            for row in TenancyCampaignState.objects.filter(
                year=year, tenancy_id__in=chunk
            ).values_list(*STATE_COLUMNS)
        }
        computed = {
            row[0]: _normalised(row)
            for row in computed_states(Tenancy.objects.filter(pk__in=chunk), year=year, few=True)
        }
        for tenancy_id in sorted(kept.keys() | computed.keys()):
            if kept.get(tenancy_id) != computed.get(tenancy_id):
                problems.append(
                    f"tenancy {tenancy_id}: kept {kept.get(tenancy_id)}, "
                    f"computed {computed.get(tenancy_id)}"
                )
        _count(counts, year, [(r[1], r[3], r[8], r[9]) for r in computed.values()], sign=1)
    found: Counter = Counter()
    stored = CampaignStatusCount.objects.filter(year=year).values_list(
        "portfolio_id", "status", "tenancies", "concerned", "declared"
    )
    for portfolio_id, status, tenancies, concerned, declared in stored:
        found[(portfolio_id, year, status, "tenancies")] = tenancies
        found[(portfolio_id, year, status, "concerned")] = concerned
        found[(portfolio_id, year, status, "declared")] = declared
    for key in sorted(set(counts) | set(found)):
        if counts[key] != found[key]:
            problems.append(f"count {key}: kept {found[key]}, computed {counts[key]}")
    return problems


def _normalised(row: tuple) -> tuple:
    """A state as comparable values on both engines (SQLite gives numbers and 0/1)."""
    values = list(row)
    for index in (6, 7):
        values[index] = Decimal(str(values[index])).quantize(rules.CENT)
    for index in (8, 9):
        values[index] = bool(values[index])
    return tuple(values)


# --- Single saves and deletes (connected in RentsConfig.ready) ---------------------------------


def rent_saved(sender, instance, **kwargs) -> None:
    """A July rent of year N sets the status of N (its rent) and of N+1 (the previous one)."""
    refresh_states([instance.tenancy_id], years=[instance.year, instance.year + 1])


def rent_deleted(sender, instance, origin=None, **kwargs) -> None:
    """A July rent deleted by itself (the admin); not when its tenancy's deletion takes it:
    the tenancy's states are gone already (tenancy_deleting)."""
    if isinstance(origin, sender) or getattr(origin, "model", None) is sender:
        refresh_states([instance.tenancy_id], years=[instance.year, instance.year + 1])


def tenancy_saved(sender, instance, **kwargs) -> None:
    refresh_states([instance.pk])


def tenancy_deleting(sender, instance, **kwargs) -> None:
    forget_states([instance.pk])
