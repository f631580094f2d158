"""Reads of portfolios and tenancies. The only way a view reaches a portfolio."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from portail.rents.models import JulyRent

from .models import Portfolio, Tenancy


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
    """The portfolio with this id if the user may see it; 404 otherwise, whoever owns it."""
    try:
        return portfolios_of_user(user).select_related("landlord").get(pk=portfolio_id)
    except Portfolio.DoesNotExist:
        raise Http404("Parc introuvable") from None


def portfolio_summaries(user) -> QuerySet[Portfolio]:
    """The user's portfolios with their number of tenancies, for the "Mes parcs" page."""
    return portfolios_of_user(user).annotate(tenancy_count=Count("tenancies"))


def tenancies_of_portfolio(portfolio: Portfolio) -> QuerySet[Tenancy]:
    """The tenant list of a portfolio, ordered by tenant name."""
    return Tenancy.objects.filter(portfolio=portfolio).order_by("tenant_name", "recipient_number")


def tenant_list(portfolio: Portfolio, *, year: int) -> QuerySet[Tenancy]:
    """The tenant list with the July rents of year N-1 and N side by side (one query)."""

    def rent_of(y: int):
        return Subquery(
            JulyRent.objects.filter(tenancy=OuterRef("pk"), year=y).values("amount")[:1]
        )

    return tenancies_of_portfolio(portfolio).annotate(
        rent_previous=rent_of(year - 1), rent_current=rent_of(year)
    )
