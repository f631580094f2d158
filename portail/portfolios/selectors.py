"""Reads of portfolios and tenancies. The only way a view reaches a portfolio."""

from django.core.paginator import Page, Paginator
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

    The portfolio carries ``may_declare``: whether this user may declare rents in it.
    """
    try:
        portfolio = (
            portfolios_of_user(user)
            .select_related("landlord")
            .annotate(
                declare_granted=Exists(
                    Grant.objects.filter(
                        portfolio=OuterRef("pk"), user=user, right=Grant.Right.DECLARE
                    )
                )
            )
            .get(pk=portfolio_id)
        )
    except Portfolio.DoesNotExist:
        raise Http404("Parc introuvable") from None
    portfolio.may_declare = may_declare(user, portfolio)
    return portfolio


def may_declare(user, portfolio: Portfolio) -> bool:
    """A natural landlord's user and a legal landlord's administrator declare everything of
    their landlord; another user only where granted "declare" (not "consult")."""
    if user.landlord_id != portfolio.landlord_id:
        return False
    if user.is_landlord_admin or not portfolio.landlord.is_legal:
        return True
    return bool(getattr(portfolio, "declare_granted", False))


def portfolio_summaries(user) -> QuerySet[Portfolio]:
    """The user's portfolios with their number of tenancies, for the "Mes parcs" page."""
    return portfolios_of_user(user).annotate(tenancy_count=Count("tenancies"))


def tenancies_of_portfolio(portfolio: Portfolio) -> QuerySet[Tenancy]:
    """The tenant list of a portfolio, ordered by tenant name."""
    return Tenancy.objects.filter(portfolio=portfolio).order_by("tenant_name", "recipient_number")


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
    """One page of the tenant list. Where neither the filter nor the order needs a rent, the
    page's ids are read from the tenancies' index first and only those 50 are joined to their
    rents, so page 1,000 of 100,000 costs about what page 1 does."""
    if status in rules.Status.LABELS or sort.lstrip("-") not in PLAIN_SORTS:
        paginator = Paginator(
            tenant_list(portfolio, year=year, search=search, status=status, sort=sort), per_page
        )
        return paginator.get_page(number)
    order = _ordering(sort)
    ids = (
        _searched(Tenancy.objects.filter(portfolio=portfolio), search)
        .order_by(*order)
        .values_list("pk", flat=True)
    )
    page = Paginator(ids, per_page).get_page(number)
    page.object_list = list(
        with_rents(Tenancy.objects.filter(pk__in=list(page.object_list)), year=year).order_by(
            *order
        )
    )
    return page


def _searched(queryset: QuerySet[Tenancy], search: str) -> QuerySet[Tenancy]:
    """By recipient number when digits are typed, else by a part of the tenant's name."""
    search = (search or "").strip()
    if not search:
        return queryset
    compact = search.replace(" ", "")
    if compact.isdigit():
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
