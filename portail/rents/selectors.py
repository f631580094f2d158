"""Reads of campaigns, declarations, receipts and files of rents."""

from decimal import Decimal

from django.conf import settings
from django.http import Http404

from portail.portfolios.models import Portfolio, Tenancy

from . import rules
from .models import BulkImport, IrlQuarter, Receipt, RentCampaign, RentDeclaration, RentSubmission


def campaign_of_year(year: int) -> RentCampaign:
    """The campaign of year N as staff set it, or with the default dates (not saved)."""
    campaign = RentCampaign.objects.filter(year=year).first()
    if campaign is None:
        opens_on, closes_on = rules.default_campaign_dates(year)
        campaign = RentCampaign(year=year, opens_on=opens_on, closes_on=closes_on)
    return campaign


def irl_ratio(year: int) -> Decimal | None:
    """IRL Q2 N / IRL Q2 N-1; when Q2 N is not yet in the table, the latest published pair."""
    values = dict(IrlQuarter.objects.filter(quarter=2, year__lte=year).values_list("year", "value"))
    for y in sorted(values, reverse=True):
        if y - 1 in values:
            return rules.allowed_increase_ratio(values[y], values[y - 1])
    return None


def confirmation_ceiling() -> Decimal:
    """The monthly rent above which the landlord is asked to confirm (setting)."""
    return Decimal(str(settings.RENT_CONFIRMATION_CEILING))


def declaration_history(tenancy: Tenancy, *, year: int) -> list[RentDeclaration]:
    """Every version of the July N declaration of a tenancy, oldest first, with who made it."""
    return list(
        RentDeclaration.objects.filter(tenancy=tenancy, year=year)
        .select_related("declared_by")
        .order_by("version")
    )


def latest_declaration(tenancy: Tenancy, *, year: int) -> RentDeclaration | None:
    return RentDeclaration.objects.filter(tenancy=tenancy, year=year).order_by("-version").first()


def receipts_of_tenancy(tenancy: Tenancy) -> list[Receipt]:
    return list(Receipt.objects.filter(tenancy=tenancy).order_by("-submitted_at"))


def submission_for_portfolio(portfolio: Portfolio, submission_id: int) -> RentSubmission:
    """An acknowledgement of this portfolio; 404 for any other."""
    try:
        return RentSubmission.objects.select_related("submitted_by", "portfolio").get(
            pk=submission_id, portfolio=portfolio
        )
    except RentSubmission.DoesNotExist:
        raise Http404("Accusé de réception introuvable") from None


def declarations_of_submission(submission: RentSubmission):
    """The lines of an acknowledgement, with their tenancies, in recipient-number order."""
    return (
        RentDeclaration.objects.filter(submission=submission)
        .select_related("tenancy")
        .order_by("tenancy__recipient_number")
    )


def bulk_import_for_portfolio(portfolio: Portfolio, import_id: int) -> BulkImport:
    """A deposited file of this portfolio; 404 for any other."""
    try:
        return BulkImport.objects.get(pk=import_id, portfolio=portfolio)
    except BulkImport.DoesNotExist:
        raise Http404("Fichier introuvable") from None
