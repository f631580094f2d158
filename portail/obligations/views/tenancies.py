"""A tenancy's page: its facts, its unpaid-rent reports and reported changes."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portail.portfolios.selectors import portfolio_for_request

from .. import selectors


@login_required
def tenancy(request, portfolio_id: int, tenancy_id: int):
    """A tenancy's page: its facts, its unpaid-rent reports and reported changes, what to do."""
    portfolio = portfolio_for_request(request, portfolio_id)
    tenancy = selectors.tenancy_of_portfolio(portfolio, tenancy_id)
    unpaid, changes = selectors.reports_of_tenancy(tenancy)
    return render(
        request,
        "obligations/tenancy.html",
        {
            "portfolio": portfolio,
            "tenancy": tenancy,
            "unpaid_reports": unpaid,
            "open_unpaid": next((r for r in unpaid if r.status != "closed"), None),
            "change_reports": changes,
        },
    )
