"""Reads of the back office: a landlord's portfolios, the campaign dashboard (the receipts
queue and the rents it exports are read by rents.selectors)."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet

from portail.accounts.models import Landlord
from portail.common import clock
from portail.portfolios.models import Tenancy
from portail.rents import rules as rent_rules
from portail.rents import selectors as rent_selectors

from . import rules
from .models import Reminder


def portfolios_of_landlord(landlord: Landlord):
    return landlord.portfolios.annotate(tenancy_count=Count("tenancies")).order_by("name")


# --- Campaign ---------------------------------------------------------------------------------


@dataclass
class Dashboard:
    year: int
    concerned: int
    declared: int
    days: list[dict]
    sizes: list[dict]
    chart: dict

    @property
    def share(self) -> float:
        return rules.share(self.declared, self.concerned)


def campaign_dashboard(year: int) -> Dashboard:
    """Share declared overall, per day (first declarations, with the running share) and per
    portfolio size. The shares read the kept counts per portfolio (rents.campaign_state), not
    the year's tenancies."""
    per_portfolio = rent_selectors.campaign_counts_per_portfolio(year)
    buckets = {
        bucket: {"portfolios": 0, "total": 0, "declared": 0} for bucket in rules.SIZE_BUCKETS
    }
    for index, portfolios, total, declared in _per_size(per_portfolio):
        buckets[rules.SIZE_BUCKETS[index]] = {
            "portfolios": portfolios,
            "total": total,
            "declared": declared,
        }
    concerned = sum(values["total"] for values in buckets.values())
    declared = sum(values["declared"] for values in buckets.values())
    sizes = [
        {
            "label": rules.size_bucket_label(low, high),
            **values,
            "share": rules.share(values["declared"], values["total"]),
        }
        for (low, high), values in buckets.items()
    ]
    firsts = rent_selectors.first_declarations_per_day(
        year, rent_selectors.concerned_tenancy_ids(year)
    )
    days, running = [], 0
    for row in firsts:
        running += row["count"]
        days.append(
            {"day": row["day"], "count": row["count"], "share": rules.share(running, concerned)}
        )
    chart = rules.bar_chart([(f"{row['day']:%d/%m}", row["count"]) for row in days])
    return Dashboard(year, concerned, declared, days, sizes, chart)


def _per_size(per_portfolio) -> list[tuple[int, int, int, int]]:
    """(bucket index, portfolios, tenancies, declared) summed in the database, not in Python."""
    sql, params = per_portfolio.query.sql_with_params()
    cases = " ".join(
        f"WHEN total <= {high} THEN {index}"
        for index, (_low, high) in enumerate(rules.SIZE_BUCKETS)
        if high is not None
    )
    bucket = f"CASE {cases} ELSE {len(rules.SIZE_BUCKETS) - 1} END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket} AS bucket, COUNT(*), SUM(total), SUM(declared) "  # noqa: S608
            f"FROM ({sql}) AS per_portfolio GROUP BY 1 ORDER BY 1",
            params,
        )
        return [(int(b), int(p), int(t), int(d)) for b, p, t, d in cursor.fetchall()]


def landlords_with_undeclared_rents(year: int) -> QuerySet[Landlord]:
    """Landlords with at least one tenancy concerned by year N whose rent is still unknown (to
    declare, or waiting for the July N-1 receipt), each flagged ``reminded_today``. A rent the
    agency had from its feed counts as known: no reminder asks for what the landlord's list
    already shows as done."""
    undeclared = Tenancy.objects.filter(
        rent_rules.active_in_july_q(year), portfolio__landlord=OuterRef("pk")
    ).exclude(rent_selectors.rent_known_in(year))
    reminded = Reminder.objects.filter(landlord=OuterRef("pk"), sent_on=clock.today())
    return (
        Landlord.objects.filter(Exists(undeclared))
        .annotate(reminded_today=Exists(reminded))
        .order_by("name", "pk")
    )
