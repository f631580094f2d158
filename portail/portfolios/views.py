"""Mes parcs: the user's portfolios, each with its number of tenancies."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import selectors


@login_required
def home(request):
    portfolios = selectors.visible_portfolios(request)
    if len(portfolios) == 1:
        # The tenant list of the one portfolio (owned by the rents app, named by URL only);
        # nothing is counted for a page not shown.
        return redirect("rents:tenants", portfolio_id=portfolios[0].pk)
    return render(
        request, "portfolios/home.html", {"portfolios": selectors.count_tenancies(portfolios)}
    )
