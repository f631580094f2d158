"""The tenant list of a portfolio: each tenancy in the campaign of year N, with its July N-1
and N rents, a pending receipt and its status (rules.declaration_status and its SQL form).

tenant_page is the list page (one plain SQL query for its 50 rows in the usual orders),
tenant_list the ORM form (filters on the status, sorts by a rent, exports), with_rents the
annotation the declaration services read a tenancy's status with."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.http import Http404

from portail.common.text import is_ascii_digits
from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import tenancy_count

from . import rules
from .models import JulyRent, Receipt


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
    queryset = with_rents(_searched(Tenancy.objects.filter(portfolio=portfolio), search), year=year)
    if status in rules.Status.LABELS:
        queryset = queryset.filter(status=status)
    return queryset.order_by(*_ordering(sort))


def _ordering(sort: str) -> list[str]:
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS["nom"])
    return [f"-{f}" if descending else f for f in fields]


# Orders that need no rent: the page is found on the tenancies' own indexes.
PLAIN_SORTS = {"nom", "numero", "logement"}


def tenant_page(
    portfolio: Portfolio,
    *,
    year: int,
    number,
    per_page: int,
    search: str = "",
    status: str = "",
    sort: str = "nom",
) -> Page:
    """One page of the tenant list. Where neither the filter nor the order needs a rent (the
    usual case), the page is one plain SQL query (_rows_of_page), else the ORM's tenant_list;
    without a filter or a search, the total is the cached tenancy_count, not a COUNT of
    100,000 rows."""
    filtered = status in rules.Status.LABELS
    plain = not filtered and sort.lstrip("-") in PLAIN_SORTS
    if plain:
        order = _ordering(sort)
        ids = _searched(Tenancy.objects.filter(portfolio=portfolio), search).order_by(*order)
        paginator = Paginator(ids.values_list("pk", flat=True), per_page)
    else:
        paginator = Paginator(
            tenant_list(portfolio, year=year, search=search, status=status, sort=sort), per_page
        )
    if not filtered and not (search or "").strip():
        # Paginator.count is a cached property: given here, it is never counted.
        paginator.count = tenancy_count(portfolio)
    page = paginator.get_page(number)
    if plain:
        page.object_list = _rows_of_page(page.object_list, order=order, year=year)
    return page


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


def _rows_of_page(page_ids: QuerySet, *, order: list[str], year: int) -> list[TenantRow]:
    """The tenancies whose ids the sliced queryset `page_ids` selects, with their July N-1 and
    N rents and pending receipt, in `order` (tenancy columns only).

    Written in SQL on purpose: with the ORM (FilteredRelation, Exists, Case) building the query
    cost more than running it (1.8 ms against 1 ms). The page's ids come from the ORM (search and
    sort as everywhere), found on the tenancies' index by LIMIT and OFFSET, and only those 50
    are joined to their rents, so page 1,000 of 100,000 costs about what page 1 does. The
    status is the Python rule (rules.declaration_status), which the SQL form agrees with."""
    try:
        ids_sql, ids_params = page_ids.query.sql_with_params()
    except EmptyResultSet:  # an empty portfolio's page: a slice [0:0]
        return []
    ordering = ", ".join(
        f"t.{name.lstrip('-')} {'DESC' if name.startswith('-') else 'ASC'}" for name in order
    )
    # Columns come from SORTS, table names from the models, the subquery from the ORM; every
    # value is a parameter.
    tenancies, rents = Tenancy._meta.db_table, JulyRent._meta.db_table
    receipts = Receipt._meta.db_table
    sql = (
        "SELECT t.id, t.recipient_number, t.tenant_name, t.dwelling_address, t.start_date, "  # noqa: S608
        f"t.end_date, rp.amount, rc.amount, EXISTS (SELECT 1 FROM {receipts} r "
        "WHERE r.tenancy_id = t.id AND r.year = %s AND r.status = %s) "
        f"FROM {tenancies} t "
        f"LEFT JOIN {rents} rp ON rp.tenancy_id = t.id AND rp.year = %s "
        f"LEFT JOIN {rents} rc ON rc.tenancy_id = t.id AND rc.year = %s "
        f"WHERE t.id IN ({ids_sql}) ORDER BY {ordering}"
    )
    params = [year - 1, Receipt.Status.PENDING, year - 1, year, *ids_params]
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
                year=year,
                has_current=current is not None,
                has_previous=previous is not None,
            ),
        )
        for pk, number, name, address, start, end, previous, current, pending in found
    ]


def _amount(value) -> Decimal | None:
    """An amount read by plain SQL: PostgreSQL gives a Decimal, SQLite a number."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(rules.CENT)


def _searched(queryset: QuerySet[Tenancy], search: str) -> QuerySet[Tenancy]:
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
