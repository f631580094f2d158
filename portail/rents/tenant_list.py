"""The tenant list of a portfolio: each tenancy in the campaign of year N, with its July N-1
and N rents, a pending receipt and its status (rules.declaration_status and its SQL form).

rows_of_page reads a page's 50 rows in one plain SQL query (tenant_pages finds which on an
index), tenant_list is the ORM form (exports, a year whose states are not built), with_rents
the annotation the declaration services and the kept states read a tenancy's status with."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.http import Http404

from portail.common.text import is_ascii_digits
from portail.portfolios.models import Portfolio, Tenancy

from . import rules
from .models import JulyRent, Receipt
from .state_models import TenancyCampaignState


def with_rents(queryset: QuerySet[Tenancy], *, year: int) -> QuerySet[Tenancy]:
    """Tenancies with their July N-1 and N rents, a pending receipt flag and their status.

    The rents come through two LEFT JOINs (at most one row each: one rent per tenancy and
    year), which PostgreSQL hashes once for 100,000 tenancies instead of probing per row.
    """
    return (
        queryset.annotate(
            previous_july=FilteredRelation("july_rents", condition=Q(july_rents__year=year - 1)),
            current_july=FilteredRelation("july_rents", condition=Q(july_rents__year=year)),
        )
        .annotate(
            rent_previous=F("previous_july__amount"),
            rent_current=F("current_july__amount"),
            receipt_pending=Exists(
                Receipt.objects.filter(
                    tenancy=OuterRef("pk"), year=year - 1, status=Receipt.Status.PENDING
                )
            ),
        )
        .annotate(status=rules.declaration_status_sql(year))
    )


SORTS = {
    "nom": ("tenant_name", "recipient_number"),
    "numero": ("recipient_number",),
    "logement": ("dwelling_address", "recipient_number"),
    "loyer_precedent": ("rent_previous", "recipient_number"),
    "loyer": ("rent_current", "recipient_number"),
    "statut": ("status", "tenant_name", "recipient_number"),
}


def tenant_list(
    portfolio: Portfolio, *, year: int, search: str = "", status: str = "", sort: str = "nom"
) -> QuerySet[Tenancy]:
    """The tenant list with the July rents of year N-1 and N side by side (one query),
    searched by name or recipient number, filtered by status, sorted."""
    queryset = with_rents(searched(Tenancy.objects.filter(portfolio=portfolio), search), year=year)
    if status in rules.Status.LABELS:
        queryset = queryset.filter(status=status)
    return queryset.order_by(*_ordering(sort))


def _ordering(sort: str) -> list[str]:
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS["nom"])
    return [f"-{f}" if descending else f for f in fields]


# Orders that need no rent: the page is found on the tenancies' own indexes (tenant_pages).
PLAIN_SORTS = {"nom", "numero", "logement"}


@dataclass(frozen=True, slots=True)
class TenantRow:
    """One line of the tenant list: what the page and the rules need of a tenancy."""

    pk: int
    recipient_number: str
    tenant_name: str
    dwelling_address: str
    rent_previous: Decimal | None
    rent_current: Decimal | None
    receipt_pending: bool
    status: str
    end_date: datetime.date | None = None
    reported_end_date: datetime.date | None = None


def rows_of_page(
    page_ids: QuerySet, *, order: list[str], year: int, state_year: int | None = None
) -> list[TenantRow]:
    """The tenancies whose ids the sliced queryset `page_ids` selects, with their July N-1 and
    N rents and pending receipt, in `order` ("t.column" of the tenancy, "s.column" of its kept
    state in `state_year`, "-" for descending).

    Written in SQL on purpose: with the ORM (FilteredRelation, Exists, Case) building the query
    cost more than running it (1.8 ms against 1 ms). The page's ids come from the ORM (search and
    sort as everywhere), found on an index (tenant_pages), and only those 50 are joined to their
    rents, so page 1,000 of 100,000 costs about what page 1 does. The
    status is the Python rule (rules.declaration_status), which the SQL form agrees with."""
    try:
        ids_sql, ids_params = page_ids.query.sql_with_params()
    except EmptyResultSet:  # an empty portfolio's page: a slice [0:0]
        return []
    ordering = ", ".join(
        f"{name.lstrip('-')} {'DESC' if name.startswith('-') else 'ASC'}" for name in order
    )
    # Columns come from SORTS and STATE_SORTS, table names from the models, the subquery from
    # the ORM; every value is a parameter.
    tenancies, rents = Tenancy._meta.db_table, JulyRent._meta.db_table
    receipts, states = Receipt._meta.db_table, TenancyCampaignState._meta.db_table
    sql = (
        "SELECT t.id, t.recipient_number, t.tenant_name, t.dwelling_address, t.start_date, "  # noqa: S608
        "t.end_date, t.reported_end_date, rp.amount, rc.amount, "
        f"EXISTS (SELECT 1 FROM {receipts} r WHERE r.tenancy_id = t.id AND r.year = %s "
        "AND r.status = %s) "
        f"FROM {tenancies} t "
        f"LEFT JOIN {rents} rp ON rp.tenancy_id = t.id AND rp.year = %s "
        f"LEFT JOIN {rents} rc ON rc.tenancy_id = t.id AND rc.year = %s "
        + (f"JOIN {states} s ON s.tenancy_id = t.id AND s.year = %s " if state_year else "")
        + f"WHERE t.id IN ({ids_sql}) ORDER BY {ordering}"
    )
    joined = [state_year] if state_year else []
    params = [year - 1, Receipt.Status.PENDING, year - 1, year, *joined, *ids_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        TenantRow(
            pk=pk,
            recipient_number=number,
            tenant_name=name,
            dwelling_address=address,
            rent_previous=_amount(previous),
            rent_current=_amount(current),
            receipt_pending=bool(pending),
            status=rules.declaration_status(
                start_date=start,
                end_date=end,
                reported_end_date=reported_end,
                year=year,
                has_current=current is not None,
                has_previous=previous is not None,
            ),
            end_date=end,
            reported_end_date=reported_end,
        )
        for pk, number, name, address, start, end, reported_end, previous, current, pending in found
    ]


# --- What other apps add to the list ---------------------------------------------------------
# The obligations app (above rents) shows on each row an unpaid rent reported and links each
# tenant to its page; rents never imports it: the app registers a TenantListExtras at start-up.


@dataclass(frozen=True)
class TenantListExtras:
    """``notes(tenancy_ids)``: short French texts for some rows (one query for the page);
    ``tenancy_url(portfolio_id)``: the address of a tenant's page with ``{id}`` in place of the
    tenancy's id (one reverse for the page); ``links(portfolio)``: (text, address) pairs shown
    under the list."""

    notes: Callable[[list[int]], dict[int, list[str]]]
    tenancy_url: Callable[[int], str]
    links: Callable[[Portfolio], list[tuple[str, str]]]


_EXTRAS: list[TenantListExtras] = []


def register_extras(extras: TenantListExtras) -> None:
    """Called once by an app's AppConfig.ready."""
    _EXTRAS.append(extras)


def page_extras(portfolio: Portfolio, rows) -> dict:
    """The notes of a page's rows, the tenant page's address pattern and the links, from every
    registered app: ``{"notes": {id: [text]}, "tenancy_url": str | None, "links": [...]}``."""
    ids = [row.pk for row in rows]
    notes: dict[int, list[str]] = {}
    tenancy_url, links = None, []
    for extras in _EXTRAS:
        for tenancy_id, texts in (extras.notes(ids) if ids else {}).items():
            notes.setdefault(tenancy_id, []).extend(texts)
        tenancy_url = tenancy_url or extras.tenancy_url(portfolio.pk)
        links.extend(extras.links(portfolio))
    return {"notes": notes, "tenancy_url": tenancy_url, "links": links}


def _amount(value) -> Decimal | None:
    """An amount read by plain SQL: PostgreSQL gives a Decimal, SQLite a number."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(rules.CENT)


def searched(queryset: QuerySet[Tenancy], search: str) -> QuerySet[Tenancy]:
    """By recipient number when digits are typed, else by a part of the tenant's name."""
    search = (search or "").strip()
    if not search:
        return queryset
    compact = search.replace(" ", "")
    if is_ascii_digits(compact):
        return queryset.filter(recipient_number__startswith=compact)
    return queryset.filter(tenant_name__icontains=search)


def tenancy_for_portfolio(portfolio: Portfolio, tenancy_id: int, *, year: int) -> Tenancy:
    """One tenancy of this portfolio with its rents and status; 404 for any other."""
    try:
        return with_rents(
            Tenancy.objects.filter(portfolio=portfolio).select_related("portfolio"), year=year
        ).get(pk=tenancy_id)
    except Tenancy.DoesNotExist:
        raise Http404("Locataire introuvable") from None
