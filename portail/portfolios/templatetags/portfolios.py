"""The header's portfolio switcher: the user's portfolios, each one click away."""

from django import template

from portail.portfolios.selectors import header_portfolios

register = template.Library()


@register.inclusion_tag("portfolios/_switcher_list.html", takes_context=True)
def portfolio_switcher(context):
    request = context["request"]
    current = getattr(request, "resolver_match", None)
    current_id = current.kwargs.get("portfolio_id") if current else None
    # "page" only on the portfolio's tenant list itself; elsewhere in it, "true" (the current
    # portfolio, not the current page).
    on_list = bool(current and current.url_name == "tenants")
    return {
        "current": "page" if on_list else "true",
        "portfolios": header_portfolios(request),
        "current_id": current_id,
    }
