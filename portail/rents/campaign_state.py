"""Keeping the states of tenancies in a campaign (TenancyCampaignState) and their counts per
portfolio (CampaignStatusCount) equal to what rules.declaration_status says, in the writing
transaction.

Every write that changes what the status reads calls refresh_states for the tenancies it
touched: single saves and deletes of a tenancy or a July rent through the signals connected in
RentsConfig.ready (screen declarations, receipts, the admin, the factories of tests), the set
writes explicitly (the file of rents, the feed, a reported departure). A refresh of a few
tenancies locks and reads their states, upserts them recomputed by the database from
declaration_status_sql (an unchanged state is left alone) and moves the counts by the
difference in one INSERT ... ON CONFLICT DO UPDATE, in a fixed order, after the states: two
transactions never wait on each other's counts in opposite orders. A file's states: file_states.
A whole year (its turn of year, its check): campaign_years."""

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from portail.common.prepared import Param, bind, compiled, statement_cursor
from portail.portfolios.models import Tenancy

from . import rules
from .models import JulyRent
from .selectors import declared_in
from .state_models import CampaignStateYear, CampaignStatusCount, TenancyCampaignState
from .tenant_list import with_rents

CHUNK = 500
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
RETURNED = ("portfolio_id", "status", "concerned", "landlord_declared", "tenancy_id", "year")
COUNTED = ("portfolio_id", "status", "concerned", "landlord_declared", "year")  # a set's rows
FEW_COUNTS = 4
# What each count of a portfolio, year and status counts among its states (concerned,
# landlord_declared): tally adds it in Python, the one-statement refresh (PostgreSQL) sums it
# in SQL; one definition for both.
COUNTS = {
    "tenancies": (lambda concerned, declared: True, "true"),
    "concerned": (lambda concerned, declared: bool(concerned), "concerned"),
    "declared": (
        lambda concerned, declared: bool(concerned and declared),
        "concerned AND landlord_declared",
    ),
}


def built_years(years: Iterable[int] | None = None) -> list[int]:
    """The campaign years whose states are kept (among ``years`` when given)."""
    found = CampaignStateYear.objects.order_by("year")
    if years is not None:
        found = found.filter(year__in=list(years))
    return list(found.values_list("year", flat=True))


def computed_states(tenancies, *, year: int, few: bool = False, kept_only: bool = False):
    """The states of these tenancies in year N as the rule computes them: a values_list in
    STATE_COLUMNS order (the database evaluates declaration_status_sql). ``few``: a chunk of
    tenancies, whose rents are looked up one by one on their index (a join would hash every
    rent of the year for 500 tenancies). ``kept_only``: no row unless year N is kept."""
    amount = DecimalField(max_digits=9, decimal_places=2)
    if kept_only:
        tenancies = tenancies.filter(Exists(CampaignStateYear.objects.filter(year=year)))
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
    and move the counts by the difference; inside the caller's transaction. By chunks of
    CHUNK tenancies, their rents looked up one by one (a declaration, a feed's batch); on
    PostgreSQL a single chunk (a declaration) in one statement."""
    ids = sorted(set(tenancy_ids))
    if not ids:
        return
    kept = sorted(set(years)) if years is not None else built_years()
    deltas: Counter = Counter()
    # No savepoint (two statements fewer a declaration): a failed refresh fails the writer.
    with transaction.atomic(savepoint=False):
        if len(ids) <= CHUNK and kept and connection.vendor == "postgresql":
            _refresh_in_one_statement(ids, kept)
            return
        for start in range(0, len(ids), CHUNK):
            _upsert_states(ids[start : start + CHUNK], kept, deltas)
        move_counts(deltas)


def computed_sql(tenancies: QuerySet[Tenancy], years: list[int], *, few: bool):
    """computed_states of the kept years among ``years``, as one subquery (SQL, params)."""
    parts, params = [], []
    for year in years:
        sql, year_params = computed_states(
            tenancies, year=year, few=few, kept_only=True
        ).query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS computed_{year}")  # noqa: S608
        params.extend(year_params)
    return f"({' UNION ALL '.join(parts)}) AS computed", params


@compiled
def _refresh_statements(years: tuple[int, ...], count: int) -> tuple[str, list, str, list]:
    """_upsert_states' two statements for ``count`` tenancies in these years: the lock and its
    parameters, the upsert and its parameters (a Param ``id0``, ``id1``... where each tenancy
    id goes). Compiled once per connection and shape (the SQL depends on the years only,
    never on the day): compiling declaration_status_sql and its lookups for every refresh
    took half of a declaration's time through the API (docs/performance.md)."""
    lock_sql, lock_params, upsert_sql, params = _state_sql(years, count, after_lock="")
    return lock_sql, lock_params, upsert_sql, params


def _state_sql(years: tuple[int, ...], count: int, *, after_lock: str):
    """The lock of the states of ``count`` tenancies in these years and the upsert of their
    recomputed states, each with its parameters; ``after_lock`` joins the upsert's rows to
    something (the lock's count, in the one-statement refresh)."""
    table = TenancyCampaignState._meta.db_table
    ids = [Param(f"id{index}", BigIntegerField()) for index in range(count)]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    lock_sql = (
        f"SELECT {', '.join(RETURNED)} FROM {table} "  # noqa: S608
        f"WHERE year IN ({', '.join(['%s'] * len(years))}) "
        f"AND tenancy_id IN ({', '.join(['%s'] * count)}) ORDER BY tenancy_id, year{lock}"
    )
    computed, params = computed_sql(Tenancy.objects.filter(pk__in=ids), list(years), few=True)
    mutable = [column for column in STATE_COLUMNS if column not in ("tenancy_id", "year")]
    # WHERE true: SQLite reads ON CONFLICT after a SELECT's WHERE only.
    upsert_sql = (
        f"INSERT INTO {table} ({', '.join(STATE_COLUMNS)}) "  # noqa: S608
        f"SELECT computed.* FROM {computed}{after_lock} WHERE true "
        "ON CONFLICT (tenancy_id, year) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in mutable)
        + " WHERE "
        + " OR ".join(f"{table}.{column} <> excluded.{column}" for column in mutable)
        + f" RETURNING {', '.join(RETURNED)}"
    )
    return lock_sql, [*years, *ids], upsert_sql, list(params)


def _upsert_states(ids: list[int], years: list[int], deltas: Counter) -> None:
    """Lock and read the current states of a few tenancies in these years (sorted, so two
    refreshes lock in the same order), then write the recomputed ones in one INSERT ... ON
    CONFLICT DO UPDATE that leaves alone the states whose values do not change (no new row
    version, no index entry); the years not kept give no row. Adds the difference to
    ``deltas``."""
    if not years:
        return
    ids = _padded(ids)
    lock_sql, lock_params, upsert_sql, params = _refresh_statements(tuple(years), len(ids))
    values = {f"id{index}": tenancy_id for index, tenancy_id in enumerate(ids)}
    with statement_cursor(connection) as cursor:
        cursor.execute(lock_sql, bind(lock_params, values, connection))
        old = {(row[4], row[5]): row[:4] for row in cursor.fetchall()}
        cursor.execute(upsert_sql, bind(params, values, connection))
        for row in cursor.fetchall():
            key = (row[4], row[5])
            if key in old:
                tally(deltas, row[5], [old[key]], sign=-1)
            tally(deltas, row[5], [row[:4]], sign=1)


def _padded(ids: list[int]) -> list[int]:
    """The ids padded to a power of two with the last one (an id twice in an IN list changes
    nothing): a few shapes of the statements, each compiled once."""
    return ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids))


def _refresh_in_one_statement(ids: list[int], years: list[int]) -> None:
    """_upsert_states and move_counts in one statement (PostgreSQL; a declaration's refresh)."""
    ids = _padded(ids)
    sql, params = _one_statement(tuple(years), len(ids))
    values = {f"id{index}": tenancy_id for index, tenancy_id in enumerate(ids)}
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, bind(params, values, connection))


@compiled
def _one_statement(years: tuple[int, ...], count: int) -> tuple[str, list]:
    """The lock, a MATERIALIZED common table expression, every state locked (and read as last
    committed) before any is written: the upsert's rows are joined to its count. The counts
    then move by the difference between the states written and those they replaced (COUNTS),
    rows in a fixed order, as move_counts moves them."""
    lock_sql, lock_params, upsert_sql, params = _state_sql(
        years, count, after_lock=" CROSS JOIN (SELECT count(*) FROM old) AS locked"
    )
    columns = "portfolio_id, year, status, concerned, landlord_declared"
    sums = [f"SUM(CASE WHEN {sql} THEN sign ELSE 0 END)" for _, sql in COUNTS.values()]
    moved = (
        f"SELECT 1 AS sign, {columns} FROM new UNION ALL SELECT -1, old.portfolio_id, "  # noqa: S608
        "old.year, old.status, old.concerned, old.landlord_declared "
        "FROM old JOIN new USING (tenancy_id, year)"
    )
    table = CampaignStatusCount._meta.db_table
    sql = (
        f"WITH old AS MATERIALIZED ({lock_sql}), new AS ({upsert_sql}), moved AS ({moved}) "  # noqa: S608
        f"INSERT INTO {table} (portfolio_id, year, status, {', '.join(COUNTS)}) "
        f"SELECT portfolio_id, year, status, {', '.join(sums)} FROM moved "
        f"GROUP BY portfolio_id, year, status HAVING {' OR '.join(f'{s} <> 0' for s in sums)} "
        f"ORDER BY portfolio_id, year, status {_counts_conflict()}"
    )
    return sql, [*lock_params, *params]


def forget_states(tenancy_ids: Iterable[int]) -> None:
    """A tenancy about to be deleted leaves the counts of every year."""
    ids = sorted(set(tenancy_ids))
    deltas: Counter = Counter()
    with transaction.atomic(savepoint=False):
        for year in built_years():
            for start in range(0, len(ids), CHUNK):
                tally(deltas, year, _delete_states(ids[start : start + CHUNK], year=year), -1)
        move_counts(deltas)


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


def tally(deltas: Counter, year: int, rows: list[tuple], sign: int) -> None:
    """Add each state (portfolio, status, concerned, declared) ``sign`` times to ``deltas``."""
    for portfolio_id, status, concerned, declared in rows:
        key = (portfolio_id, year, status)
        for count, (counts, _sql) in COUNTS.items():
            deltas[(*key, count)] += sign * counts(concerned, declared)


def move_counts(deltas: Counter) -> None:
    """Add the differences to the counts: one statement, rows in a fixed order."""
    keys = sorted({key[:3] for key, value in deltas.items() if value})
    if not keys:
        return
    rows = [(*key, *(deltas[(*key, count)] for count in COUNTS)) for key in keys]
    table = CampaignStatusCount._meta.db_table
    values = ", ".join([f"({', '.join(['%s'] * len(rows[0]))})"] * len(rows))
    # A few rows (one tenancy's refresh): one of a few shapes, prepared on the server.
    few = len(rows) <= FEW_COUNTS
    with statement_cursor(connection) if few else connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (portfolio_id, year, status, {', '.join(COUNTS)}) "  # noqa: S608
            f"VALUES {values} {_counts_conflict()}",
            [value for row in rows for value in row],
        )


def _counts_conflict() -> str:
    table = CampaignStatusCount._meta.db_table
    return "ON CONFLICT (portfolio_id, year, status) DO UPDATE SET " + ", ".join(
        f"{count} = {table}.{count} + excluded.{count}" for count in COUNTS
    )


# --- Single saves and deletes (connected in RentsConfig.ready) ---------------------------------


def rent_written(rent: JulyRent) -> None:
    """A July rent of year N sets the status of N (its rent) and of N+1 (the previous one)."""
    refresh_states([rent.tenancy_id], years=[rent.year, rent.year + 1])


def rent_saved(sender, instance, **kwargs) -> None:
    rent_written(instance)


def rent_deleted(sender, instance, origin=None, **kwargs) -> None:
    """A July rent deleted by itself (the admin); not when its tenancy's deletion takes it:
    the tenancy's states are gone already (tenancy_deleting)."""
    if isinstance(origin, sender) or getattr(origin, "model", None) is sender:
        refresh_states([instance.tenancy_id], years=[instance.year, instance.year + 1])


def tenancy_saved(sender, instance, **kwargs) -> None:
    refresh_states([instance.pk])


def tenancy_deleting(sender, instance, **kwargs) -> None:
    forget_states([instance.pk])
