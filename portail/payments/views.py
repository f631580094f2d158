"""Paiements: a portfolio's direct payments month by month, their exports and the monthly PDF
statement, and a tenancy's own payments. Every view reaches the portfolio through
portfolio_for_request (404 otherwise); a consult grant is enough to read."""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from portail.common import clock
from portail.portfolios.selectors import portfolio_for_request

from . import exports, selectors
from .forms import PaymentFilterForm

PAYMENTS_PER_PAGE = 50


def _month_asked(request, portfolio):
    """The months of the portfolio, the one asked (else the latest) and the search."""
    form = PaymentFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    months = selectors.months_of_portfolio(portfolio)
    asked = params.get("mois")
    month = next((m for m in months if m.period == asked), months[0] if months else None)
    return form, months, month, params.get("q", "")


@login_required
def payments(request, portfolio_id: int):
    portfolio = portfolio_for_request(request, portfolio_id)
    form, months, month, search = _month_asked(request, portfolio)
    page = selectors.payment_page(
        portfolio,
        month=month,
        search=search,
        number=request.GET.get("page"),
        per_page=PAYMENTS_PER_PAGE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    if month is not None:
        query["mois"] = f"{month.period:%Y-%m}"
    body = (
        engines["jinja2"]
        .get_template("payments/payments_body.html")
        .render(
            {
                "portfolio": portfolio,
                "form": form,
                "search": search.strip(),
                "months": months,
                "years": selectors.years_of(months),
                "month": month,
                "page": page,
                "query": query.urlencode(),
                "statement_max": selectors.STATEMENT_MAX_LINES,
                # One reverse() for the page instead of one per row.
                "tenancy_url_prefix": reverse(
                    "payments:tenancy", kwargs={"portfolio_id": portfolio.pk, "tenancy_id": 0}
                ).removesuffix("0/"),
            }
        )
    )
    # Jinja2 escaped every value (autoescape); the layout is the Django template.
    context = {"portfolio": portfolio, "body": mark_safe(body)}  # noqa: S308
    return render(request, "payments/payments.html", context)


@login_required
def export_csv(request, portfolio_id: int):
    """The month's payments (searched as on the page) as CSV for a French spreadsheet."""
    portfolio = portfolio_for_request(request, portfolio_id)
    _form, _months, month, search = _month_asked(request, portfolio)
    return exports.csv_response(portfolio, month, search)


@login_required
def export_xlsx(request, portfolio_id: int):
    """The month's payments (searched as on the page) as an Excel workbook."""
    portfolio = portfolio_for_request(request, portfolio_id)
    _form, _months, month, search = _month_asked(request, portfolio)
    return exports.xlsx_response(portfolio, month, search)


@login_required
def statement_pdf(request, portfolio_id: int, year: int, month: int):
    """The month's statement of direct payments, for the landlord's accountant (PDF)."""
    from weasyprint import HTML

    portfolio = portfolio_for_request(request, portfolio_id)
    if not (1990 <= year <= 2100 and 1 <= month <= 12):
        raise Http404("Mois introuvable")
    period = datetime.date(year, month, 1)
    totals = next((m for m in selectors.months_of_portfolio(portfolio) if m.period == period), None)
    if totals is None:
        raise Http404("Aucun paiement ce mois-là")
    if totals.payment_count > selectors.STATEMENT_MAX_LINES:
        context = {
            "portfolio": portfolio,
            "month": totals,
            "statement_max": selectors.STATEMENT_MAX_LINES,
        }
        return render(request, "payments/statement_too_long.html", context)
    rows = selectors.rows_of(selectors.month_payments(portfolio, period=period))
    html = render_to_string(
        "payments/statement_pdf.html",
        {
            "portfolio": portfolio,
            "month": totals,
            "rows": rows,
            "issued_on": clock.today(),
            "agency_name": settings.AGENCY_NAME,
        },
    )
    pdf = HTML(string=html, base_url=settings.SITE_URL).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="releve-paiements-{portfolio.pk}-{period:%Y-%m}.pdf"'
    )
    return response


@login_required
def tenancy(request, portfolio_id: int, tenancy_id: int):
    """One tenancy's direct payments, latest month first."""
    portfolio = portfolio_for_request(request, portfolio_id)
    tenancy = selectors.tenancy_of_portfolio(portfolio, tenancy_id)
    payments = selectors.tenancy_payments(tenancy)
    context = {
        "portfolio": portfolio,
        "tenancy": tenancy,
        "payments": payments,
        "limit": selectors.TENANCY_MAX_PAYMENTS,
    }
    return render(request, "payments/tenancy.html", context)
