"""Tenancies of a portfolio in the current campaign: the tenant list's own selector (search,
status filter), keyset-paginated by recipient number, and one tenancy with its July rents and
the versions of its declaration."""

import datetime

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from ninja import Query, Router

from portail.common import clock
from portail.rents import rules, selectors
from portail.rents.models import JulyRent, Receipt, RentDeclaration
from portail.rents.tenant_list import tenant_list

from .. import pagination
from ..queries import INSTANT_PATTERN, instant, query_parameters
from ..schemas import ProblemOut, TenancyDetail, TenancyPage, TenancyStatus, amount_text
from ..selectors import portfolio_of_token

router = Router(tags=["tenancies"])


def tenancy_out(tenancy, *, year: int) -> dict:
    return {
        "recipient_number": tenancy.recipient_number,
        "tenant_name": tenancy.tenant_name,
        "dwelling_address": tenancy.dwelling_address,
        "start_date": tenancy.start_date,
        "end_date": tenancy.end_date,
        "direct_payment": tenancy.direct_payment,
        "year": year,
        "status": tenancy.status,
        "july_rent_previous": amount_text(tenancy.rent_previous),
        "july_rent": amount_text(tenancy.rent_current),
        "receipt_pending": tenancy.receipt_pending,
    }


def _changed_since(since: datetime.datetime, *, year: int) -> Q:
    """Tenancies the feed changed (``updated_at``), or whose July N-1 or N rent, a superseded
    version or a receipt was written since this instant (what a landlord's software
    synchronises)."""
    return (
        Q(updated_at__gte=since)
        | Q(
            Exists(
                JulyRent.objects.filter(
                    tenancy=OuterRef("pk"), year__in=(year - 1, year), recorded_at__gte=since
                )
            )
        )
        | Q(
            Exists(
                RentDeclaration.objects.filter(
                    tenancy=OuterRef("pk"), year=year, declared_at__gte=since
                )
            )
        )
        | Q(
            Exists(
                Receipt.objects.filter(tenancy=OuterRef("pk"), year=year - 1).filter(
                    Q(submitted_at__gte=since) | Q(reviewed_at__gte=since)
                )
            )
        )
    )


@router.get(
    "/portfolios/{portfolio_id}/tenancies",
    response={200: TenancyPage, 404: ProblemOut},
    operation_id="list_tenancies",
)
@query_parameters("status", "search", "updated_since", "cursor", "limit")
def list_tenancies(
    request,
    portfolio_id: int,
    status: TenancyStatus | None = None,
    search: str | None = Query(None, max_length=100, description="Name or recipient number"),
    updated_since: str | None = Query(
        None,
        pattern=INSTANT_PATTERN,
        description="Tenancies the agency changed, or rents or receipts written since this "
        "instant: ISO 8601 with its offset, "
        "e.g. 2026-09-01T00:00:00Z",
    ),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.LARGEST_LIMIT),
):
    """The portfolio's tenancies in recipient-number order, as the tenant list searches and
    filters them; follow ``next_cursor`` for the next page."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    year = rules.campaign_year(clock.today())
    queryset = tenant_list(
        portfolio, year=year, search=search or "", status=status or "", sort="numero"
    )
    if updated_since is not None:
        queryset = queryset.filter(_changed_since(instant(updated_since), year=year))
    after = pagination.decode(cursor, str)
    if after is not None:
        queryset = queryset.filter(recipient_number__gt=after[0])
    page = list(queryset[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [tenancy_out(t, year=year) for t in page],
        "next_cursor": pagination.encode([page[-1].recipient_number]) if more else None,
    }


def tenancy_of_portfolio(portfolio, recipient_number: str, *, year: int):
    """One tenancy of the portfolio, by its recipient number, with its rents, status and the
    version of its current July N rent when a landlord declared it (``current_version``)."""
    tenancy = (
        tenant_list(portfolio, year=year, sort="numero")
        .filter(recipient_number=recipient_number)
        .annotate(current_version=F("current_july__version"))
        .first()
    )
    if tenancy is None:
        raise Http404("Locataire introuvable")
    tenancy.year = year
    return tenancy


@router.get(
    "/portfolios/{portfolio_id}/tenancies/{recipient_number}",
    response={200: TenancyDetail, 404: ProblemOut},
    operation_id="get_tenancy",
)
@query_parameters()
def get_tenancy(request, portfolio_id: int, recipient_number: str):
    """One tenancy: its July rents of years N-1 and N and every version of its July N
    declaration, oldest first."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    year = rules.campaign_year(clock.today())
    tenancy = tenancy_of_portfolio(portfolio, recipient_number, year=year)
    rents = JulyRent.objects.filter(tenancy=tenancy, year__in=(year - 1, year)).order_by("year")
    return {
        **tenancy_out(tenancy, year=year),
        "july_rents": [
            {
                "year": r.year,
                "amount": amount_text(r.amount),
                "source": r.source,
                "recorded_at": r.recorded_at,
            }
            for r in rents
        ],
        "versions": [
            {
                "version": v.version,
                "amount": amount_text(v.amount),
                "declared_at": v.declared_at,
                "acknowledgement_id": v.submission_id,
            }
            for v in selectors.declaration_history(tenancy, year=year)
        ],
    }
