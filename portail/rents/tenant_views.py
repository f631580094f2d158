"""The tenant list of one portfolio (the portfolio is in the URL) and its CSV/XLSX export."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe

from portail.common import clock
from portail.common.exports import csv_download, xlsx_download
from portail.portfolios.selectors import portfolio_for_request

from . import rules, tenant_list, tenant_pages
from .forms import TenantFilterForm
from .rules import campaign_year
from .selectors import campaign_of_year

TENANTS_PER_PAGE = 50
COLUMNS = [
    ("numero", "Numéro allocataire"),
    ("nom", "Locataire"),
    ("logement", "Logement"),
    ("loyer_precedent", "Loyer de juillet {previous}"),
    ("loyer", "Loyer de juillet {year}"),
    ("statut", "Statut"),
]
# On screen, the tenant's name and the row's action (in "Statut") first: on a phone they stay on
# screen while the other columns scroll in the table's wrapper. The exports keep COLUMNS' order.
SCREEN_COLUMNS = ["nom", "statut", "numero", "logement", "loyer_precedent", "loyer"]


def _filtered_list(request, portfolio):
    year = campaign_year(clock.today())
    form = TenantFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    sort = params.get("tri") or "nom"
    queryset = tenant_list.tenant_list(
        portfolio,
        year=year,
        search=params.get("q", ""),
        status=params.get("statut", ""),
        sort=sort,
    )
    return year, form, sort, queryset


@login_required
def tenants(request, portfolio_id: int):
    portfolio = portfolio_for_request(request, portfolio_id)
    year = campaign_year(clock.today())
    form = TenantFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    sort = params.get("tri") or "nom"
    page = tenant_pages.tenant_page(
        portfolio,
        year=year,
        number=request.GET.get("page"),
        per_page=TENANTS_PER_PAGE,
        search=params.get("q", ""),
        status=params.get("statut", ""),
        sort=sort,
        after=request.GET.get("apres", ""),
        before=request.GET.get("avant", ""),
    )
    campaign = campaign_of_year(year)
    campaign_open = campaign.is_open_on(clock.today())
    extras = tenant_list.page_extras(portfolio, page.object_list)
    query = request.GET.copy()
    for position in ("page", "apres", "avant"):
        query.pop(position, None)
    sort_query = query.copy()
    sort_query.pop("tri", None)
    # One reverse() for the page instead of one per row.
    prefix, suffix = reverse(
        "rents:declare", kwargs={"portfolio_id": portfolio.pk, "tenancy_id": 0}
    ).rsplit("/0/", 1)
    body = (
        engines["jinja2"]
        .get_template("rents/tenants_body.html")
        .render(
            {
                "portfolio": portfolio,
                "page": page,
                "year": year,
                "previous_year": year - 1,
                "form": form,
                "columns": _columns(sort, year=year),
                "query": query.urlencode(),
                # A name, a number or a status asked for; a sort alone searches nothing.
                "searching": bool(params.get("q") or params.get("statut")),
                "sort_query": sort_query.urlencode(),
                "campaign": campaign,
                "may_declare": portfolio.may_declare and campaign_open,
                "campaign_open": campaign_open,
                "status_labels": rules.Status.LABELS,
                "declare_url_prefix": f"{prefix}/",
                "declare_url_suffix": f"/{suffix}",
                "notes": extras["notes"],
                "tenancy_url": extras["tenancy_url"],
                "extra_links": extras["links"],
            }
        )
    )
    # Jinja2 escaped every value (autoescape); the layout is the Django template.
    context = {"portfolio": portfolio, "body": mark_safe(body)}  # noqa: S308
    return render(request, "rents/tenants.html", context)


def _columns(sort: str, *, year: int) -> list[dict]:
    """The table's headers: label, sort key, current order (aria-sort) and the next order."""
    columns = []
    labels = dict(COLUMNS)
    for key in SCREEN_COLUMNS:
        label = labels[key]
        current = sort.lstrip("-") == key
        columns.append(
            {
                "label": label.format(previous=year - 1, year=year),
                "key": key,
                "sorted": ("descending" if sort.startswith("-") else "ascending")
                if current
                else "",
                "next": f"-{key}" if current and not sort.startswith("-") else key,
            }
        )
    return columns


def _export_rows(queryset, year):
    yield [label.format(previous=year - 1, year=year) for _, label in COLUMNS]
    for t in queryset.iterator(chunk_size=2000):
        yield [
            t.recipient_number,
            t.tenant_name,
            t.dwelling_address,
            t.rent_previous,
            t.rent_current,
            rules.Status.LABELS[t.status],
        ]


def _csv_amount(value) -> str:
    """650,00: the amount as a French spreadsheet reads it, without the currency sign."""
    return "" if value is None else f"{Decimal(value):.2f}".replace(".", ",")


@login_required
def export_csv(request, portfolio_id: int):
    """The filtered tenant list as CSV (semicolons and decimal commas, for French spreadsheets)."""
    portfolio = portfolio_for_request(request, portfolio_id)
    year, _form, _sort, queryset = _filtered_list(request, portfolio)

    def lines():
        rows = _export_rows(queryset, year)
        yield next(rows)
        for row in rows:
            yield [_csv_amount(v) if i in (3, 4) else v for i, v in enumerate(row)]

    return csv_download(
        lines(), filename=f"locataires-{portfolio.pk}.csv", delimiter=";", byte_order_mark=True
    )


@login_required
def export_xlsx(request, portfolio_id: int):
    """The filtered tenant list as an Excel workbook, amounts as numbers in euros."""
    portfolio = portfolio_for_request(request, portfolio_id)
    year, _form, _sort, queryset = _filtered_list(request, portfolio)
    return xlsx_download(
        _export_rows(queryset, year), filename=f"locataires-{portfolio.pk}.xlsx", sheet="Locataires"
    )
