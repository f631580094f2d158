"""The campaign states of the tenancies a file of rents just declared (campaign_state keeps
them), in the recording's transaction.

A file's line writes the July N rent of its tenancy with its submission (the superseded
version to the history), and nothing else: so its state in year N becomes exactly
rules.declaration_status' "declared" (a July N rent is known), with that rent as its sort key
and landlord_declared true (selectors.declared_in: a current rent with a submission), every
other column (name, number, July N-1 rent, concerned) unchanged. On PostgreSQL those states
are set in one UPDATE joined to the rents this submission wrote (read on their submission
index), which reads the old states once for the counts and recomputes nothing; states already
so (the same amount declared again) are left alone. The year N+1, when kept (its July N-1
rent is the file's), and SQLite go through refresh_states_of: the states deleted and inserted
recomputed by the database."""

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet

from portail.portfolios.models import Tenancy

from . import rules
from .campaign_state import (
    COUNTED,
    STATE_COLUMNS,
    built_years,
    computed_sql,
    move_counts,
    refresh_states,
    tally,
)
from .models import JulyRent
from .state_models import TenancyCampaignState


def refresh_states_of_submission(submission, *, year: int, lines: int) -> None:
    """Bring the kept states of the tenancies whose July ``year`` rents this submission just
    wrote (``lines`` of them) up to date, and move the counts by the difference."""
    kept = built_years([year, year + 1])
    if not kept:
        return
    tenancies = Tenancy.objects.filter(
        pk__in=JulyRent.objects.filter(submission=submission).values("tenancy_id")
    )
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            # The planner's cost of a file's set statements reaches the JIT's thresholds, and
            # its compilation took a third of the refresh of 50,000 states (1.8 s of 5).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            if year in kept:
                _declare_states(submission.pk, year=year, lines=lines)
            kept = [kept_year for kept_year in kept if kept_year != year]
        if kept:
            refresh_states_of(tenancies, years=kept)


def _declare_states(submission_id: int, *, year: int, lines: int) -> None:
    """PostgreSQL: the year N states of this submission's rents set "declared" with their rent,
    in one statement that also returns the old states grouped for the counts.

    The old states are read by the statement's snapshot; a state that another transaction
    changed meanwhile (its tenancy renamed, ended) fails the UPDATE's re-check of the counted
    columns and is left to refresh_states, which locks and recomputes it, as is a tenancy
    without a state (none is expected: every write of a tenancy keeps its states)."""
    table, rents = TenancyCampaignState._meta.db_table, JulyRent._meta.db_table
    declared = str(rules.Status.DECLARED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH written AS MATERIALIZED (SELECT s.ctid AS tid, s.portfolio_id, s.status, "  # noqa: S608
            "s.concerned, s.landlord_declared, r.amount, NOT (s.status = %(declared)s AND "
            "s.rent_current_key = r.amount AND s.landlord_declared) AS changes "
            f"FROM {rents} r JOIN {table} s ON s.tenancy_id = r.tenancy_id AND s.year = r.year "
            "WHERE r.submission_id = %(submission)s AND r.year = %(year)s), "
            f"changed AS (UPDATE {table} s SET status = %(declared)s, "
            "rent_current_key = w.amount, landlord_declared = true FROM written w "
            "WHERE w.changes AND s.ctid = w.tid AND s.portfolio_id = w.portfolio_id "
            "AND s.status = w.status AND s.concerned = w.concerned "
            "AND s.landlord_declared = w.landlord_declared "
            "RETURNING w.portfolio_id, w.status, w.concerned, w.landlord_declared) "
            "SELECT *, count(*) FROM changed GROUP BY 1, 2, 3, 4 UNION ALL "
            "SELECT NULL, NULL, NULL, NULL, count(*) FROM written WHERE NOT changes",
            {"declared": declared, "submission": submission_id, "year": year},
        )
        deltas: Counter = Counter()
        done = 0  # states changed, or already so
        for portfolio_id, status, concerned, landlord_declared, number in cursor.fetchall():
            done += number
            if portfolio_id is not None:  # else the unchanged ones
                old = (portfolio_id, status, concerned, landlord_declared)
                tally(deltas, year, [old], -number)
                tally(deltas, year, [(portfolio_id, declared, concerned, True)], number)
        move_counts(deltas)
        if done == lines:
            return
        # Left over: states changed meanwhile, or missing.
        cursor.execute(
            f"SELECT r.tenancy_id FROM {rents} r WHERE r.submission_id = %s AND r.year = %s "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.tenancy_id = r.tenancy_id "
            "AND s.year = r.year AND s.status = %s AND s.rent_current_key = r.amount "
            "AND s.landlord_declared)",
            [submission_id, year, declared],
        )
        refresh_states([row[0] for row in cursor.fetchall()], years=[year])


def refresh_states_of(tenancies: QuerySet[Tenancy], *, years: Iterable[int]) -> None:
    """campaign_state.refresh_states for a set of tenancies given by a query: their states
    deleted (RETURNING the old ones, which locks them) then inserted recomputed, in one
    statement each for the whole set, the rents joined (hashed) instead of looked up.
    Measured on 100,000 states (docs/performance.md): 7 s this way, 15.7 s by the lock and
    upsert of campaign_state's refresh (a speculative insertion and a second row lock per
    state)."""
    years = sorted(set(years))
    table = TenancyCampaignState._meta.db_table
    ids_sql, ids_params = tenancies.values("pk").query.sql_with_params()
    computed, params = computed_sql(tenancies, years, few=False)
    deltas: Counter = Counter()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE year IN ({', '.join(['%s'] * len(years))}) "  # noqa: S608
            f"AND tenancy_id IN ({ids_sql}) RETURNING {', '.join(COUNTED)}",
            [*years, *ids_params],
        )
        _count_set(deltas, cursor.fetchall(), sign=-1)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(STATE_COLUMNS)}) "  # noqa: S608
            f"SELECT * FROM {computed} RETURNING {', '.join(COUNTED)}",
            params,
        )
        _count_set(deltas, cursor.fetchall(), sign=1)
        move_counts(deltas)


def _count_set(deltas: Counter, rows: list[tuple], sign: int) -> None:
    """tally() for a set's rows (COUNTED): the equal ones grouped first, in C (Counter), so
    100,000 states cost a few dozen tally calls instead of one each."""
    for (portfolio_id, status, concerned, declared, year), number in Counter(rows).items():
        tally(deltas, year, [(portfolio_id, status, concerned, declared)], sign * number)
