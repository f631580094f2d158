"""Mes parcs and the tenant list of one portfolio (the portfolio is in the URL)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from portail.common import clock
from portail.rents.rules import campaign_year

from . import selectors

TENANTS_PER_PAGE = 50


@login_required
def home(request):
    portfolios = list(selectors.portfolio_summaries(request.user))
    if len(portfolios) == 1:
        return redirect("portfolios:tenants", portfolio_id=portfolios[0].pk)
    return render(request, "portfolios/home.html", {"portfolios": portfolios})


@login_required
def tenants(request, portfolio_id: int):
    portfolio = selectors.portfolio_for_user(request.user, portfolio_id)
    year = campaign_year(clock.today())
    page = Paginator(selectors.tenant_list(portfolio, year=year), TENANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portfolios/tenants.html",
        {"portfolio": portfolio, "page": page, "year": year, "previous_year": year - 1},
    )
