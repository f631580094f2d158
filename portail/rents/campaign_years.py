"""A whole campaign year of kept states (campaign_state): built at its turn of year, checked
against a recomputation (manage.py rebuild_campaign_state)."""

from collections import Counter
from decimal import Decimal

from django.db import connection, transaction

from portail.common import clock
from portail.portfolios.models import Tenancy

from . import rules
from .campaign_state import (
    STATE_COLUMNS,
    built_years,
    computed_states,
    move_counts,
    tally,
)
from .models import JulyRent
from .state_models import CampaignStateYear, CampaignStatusCount, TenancyCampaignState

VERIFY_CHUNK = 5000


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
    states = _insert_states(year=year)
    tally(deltas, year, states, sign=1)
    move_counts(deltas)
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
        tally(counts, year, [(r[1], r[3], r[8], r[9]) for r in computed.values()], sign=1)
    # The states' foreign keys have no constraint in the database (state_models): a state
    # left by a tenancy deleted without Django's collector would show here.
    orphans = (
        TenancyCampaignState.objects.filter(year=year)
        .exclude(tenancy_id__in=Tenancy.objects.values("pk"))
        .values_list("tenancy_id", flat=True)
    )
    problems.extend(f"state of tenancy {tenancy_id}: no such tenancy" for tenancy_id in orphans)
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


def _insert_states(*, year: int) -> list[tuple]:
    """Insert the computed states of every tenancy in year N (the turn of year)."""
    sql, params = computed_states(Tenancy.objects.all(), year=year).query.sql_with_params()
    table = TenancyCampaignState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(STATE_COLUMNS)}) {sql} "  # noqa: S608
            "RETURNING portfolio_id, status, concerned, landlord_declared",
            params,
        )
        return cursor.fetchall()
