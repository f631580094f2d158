"""Reads of portfolios and tenancies. The only way a view reaches a portfolio."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from portail.common.text import is_ascii_digits
from portail.rents import rules
from portail.rents.models import Receipt

from .models import Grant, Portfolio, Tenancy


def portfolios_of_user(user) -> QuerySet[Portfolio]:
    """The portfolios a user may see: all of its landlord's for an administrator or a natural
    landlord's user, else those granted to it. Nothing for staff or anonymous visitors."""
    if not user.is_authenticated or user.landlord_id is None or not user.is_active:
        return Portfolio.objects.none()
    mine = Portfolio.objects.filter(landlord_id=user.landlord_id)
    if user.is_landlord_admin or not user.landlord.is_legal:
        return mine
    return mine.filter(grants__user=user)


def portfolio_for_user(user, portfolio_id: int) -> Portfolio:
    """The portfolio with this id if the user may see it; 404 otherwise, whoever owns it.

    The portfolio carries ``may_declare``: whether this user may declare rents in it. The
    query reads all the portfolios the user may see, which the header's switcher lists on the
    same page: they are kept on the user object for it (header_portfolios), one query for both.
    """
    queryset = portfolios_of_user(user)
    if _declares_by_grant(user):
        queryset = queryset.annotate(
            declare_granted=Exists(
                Grant.objects.filter(portfolio=OuterRef("pk"), user=user, right=Grant.Right.DECLARE)
            )
        )
    visible = list(queryset)
    user._visible_portfolios = visible
    portfolio = next((p for p in visible if p.pk == portfolio_id), None)
    if portfolio is None:
        raise Http404("Parc introuvable")
    portfolio.landlord = user.landlord  # the same landlord: portfolios_of_user filtered on it
    portfolio.may_declare = may_declare(user, portfolio)
    return portfolio


def header_portfolios(user) -> list[Portfolio]:
    """The portfolios the header's switcher lists: those portfolio_for_user read in this
    request, else read now. Links only: access is checked by portfolio_for_user every time."""
    known = getattr(user, "_visible_portfolios", None)
    return known if known is not None else list(portfolios_of_user(user).only("id", "name"))


def _declares_by_grant(user) -> bool:
    """A legal landlord's user other than its administrator declares only where granted
    (staff, who belong to no landlord, see no portfolio at all: portfolios_of_user)."""
    return user.landlord_id is not None and not user.is_landlord_admin and user.landlord.is_legal


def may_declare(user, portfolio: Portfolio) -> bool:
    """A natural landlord's user and a legal landlord's administrator declare everything of
    their landlord; another user only where granted "declare" (not "consult")."""
    if user.landlord_id != portfolio.landlord_id:
        return False
    if not _declares_by_grant(user):
        return True
    granted = getattr(portfolio, "declare_granted", None)  # portfolio_for_user's annotation
    if granted is None:
        granted = Grant.objects.filter(
            portfolio=portfolio, user=user, right=Grant.Right.DECLARE
        ).exists()
    return granted


def portfolio_summaries(user) -> list[Portfolio]:
    """The user's portfolios with their number of tenancies (``tenancy_count``), for the
    "Mes parcs" page."""
    portfolios = list(portfolios_of_user(user))
    counts = tenancy_counts([p.pk for p in portfolios])
    for portfolio in portfolios:
        portfolio.tenancy_count = counts[portfolio.pk]
    return portfolios


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
        .annotate(
            status=Case(
                When(rent_current__isnull=False, then=Value(rules.Status.DECLARED)),
                When(~rules.active_in_july_q(year), then=Value(rules.Status.NOT_REQUIRED)),
                When(
                    rules.needs_previous_july_rent_q(year) & Q(rent_previous__isnull=True),
                    then=Value(rules.Status.RECEIPT),
                ),
                default=Value(rules.Status.TO_DECLARE),
            )
        )
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
    # Columns come from SORTS, the subquery from the ORM; every value is a parameter.
    sql = (
        "SELECT t.id, t.recipient_number, t.tenant_name, t.dwelling_address, t.start_date, "  # noqa: S608
        "t.end_date, rp.amount, rc.amount, EXISTS (SELECT 1 FROM rents_receipt r "
        "WHERE r.tenancy_id = t.id AND r.year = %s AND r.status = %s) "
        "FROM portfolios_tenancy t "
        "LEFT JOIN rents_julyrent rp ON rp.tenancy_id = t.id AND rp.year = %s "
        "LEFT JOIN rents_julyrent rc ON rc.tenancy_id = t.id AND rc.year = %s "
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


TENANCY_COUNT_SECONDS = 300


def _tenancy_count_key(portfolio_id: int) -> str:
    return f"portfolio-tenancy-count:{portfolio_id}"


def tenancy_count(portfolio: Portfolio) -> int:
    """How many tenancies a portfolio holds (tenancy_counts)."""
    return tenancy_counts([portfolio.pk])[portfolio.pk]


def tenancy_counts(portfolio_ids: list[int]) -> dict[int, int]:
    """How many tenancies each portfolio holds, kept 5 minutes in the cache: counting 100,000
    rows cost more than the rest of a tenant list page, and every page of the list shows it.
    Tenancies change only through the feed and the admin, which forget the counts they touch."""
    keys = {_tenancy_count_key(pk): pk for pk in portfolio_ids}
    known = cache.get_many(list(keys))
    missing = [pk for key, pk in keys.items() if key not in known]
    if missing:
        counted = dict(
            Tenancy.objects.filter(portfolio_id__in=missing)
            .values_list("portfolio_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        fresh = {_tenancy_count_key(pk): counted.get(pk, 0) for pk in missing}
        cache.set_many(fresh, TENANCY_COUNT_SECONDS)
        known.update(fresh)
    return {pk: known[key] for key, pk in keys.items()}


def forget_tenancy_counts(portfolio_ids) -> None:
    """After tenancies of these portfolios were added, moved or removed."""
    cache.delete_many([_tenancy_count_key(pk) for pk in portfolio_ids])


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
