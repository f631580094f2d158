"""Reads of campaigns, declarations, receipts and files of rents, including those the
agency's staff need (receipts queue, tenancies concerned by a campaign, declared rents)."""

from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404

from portail.portfolios.models import Portfolio, Tenancy

from . import rules
from .models import (
    BulkImport,
    CampaignStateYear,
    CampaignStatusCount,
    IrlQuarter,
    JulyRent,
    Receipt,
    RentCampaign,
    RentDeclaration,
    RentSubmission,
    TenancyCampaignState,
)

CAMPAIGN_CACHE_SECONDS = 60


def _campaign_key(year: int) -> str:
    return f"rent-campaign:{year}"


def campaign_of_year(year: int) -> RentCampaign:
    """The campaign of year N as staff set it, or with the default dates (not saved).

    Kept a minute in the cache: every tenant list and declaration reads it, staff change it a
    few times a year, and saving or deleting a campaign forgets it (forget_campaign; with a
    cache per process instead of a shared one, other processes follow within the minute).
    """
    key = _campaign_key(year)
    campaign = cache.get(key)
    if campaign is None:
        campaign = RentCampaign.objects.filter(year=year).first()
        if campaign is None:
            opens_on, closes_on = rules.default_campaign_dates(year)
            campaign = RentCampaign(year=year, opens_on=opens_on, closes_on=closes_on)
        cache.set(key, campaign, CAMPAIGN_CACHE_SECONDS)
    return campaign


def forget_campaign(sender, instance: RentCampaign, **kwargs) -> None:
    """Receiver of RentCampaign's post_save and post_delete (RentsConfig.ready): forgotten at
    once, and again at commit, so that no request reads the former dates back in between."""
    key = _campaign_key(instance.year)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


IRL_CACHE_KEY = "irl-ratios"
NO_RATIO = "none"


def irl_ratio(year: int) -> Decimal | None:
    """IRL Q2 N / IRL Q2 N-1; when Q2 N is not yet in the table, the latest published pair.

    Kept a minute in the cache like the campaign (every declaration reads it, INSEE publishes
    a value a quarter); saving or deleting an IRL value forgets it (forget_irl)."""
    ratios = cache.get(IRL_CACHE_KEY) or {}
    if year not in ratios:
        ratios[year] = _irl_ratio_read(year) or NO_RATIO
        cache.set(IRL_CACHE_KEY, ratios, CAMPAIGN_CACHE_SECONDS)
    return None if ratios[year] == NO_RATIO else ratios[year]


def _irl_ratio_read(year: int) -> Decimal | None:
    values = dict(IrlQuarter.objects.filter(quarter=2, year__lte=year).values_list("year", "value"))
    for y in sorted(values, reverse=True):
        if y - 1 in values:
            return rules.allowed_increase_ratio(values[y], values[y - 1])
    return None


def forget_irl(sender, **kwargs) -> None:
    """Receiver of IrlQuarter's post_save and post_delete (RentsConfig.ready)."""
    cache.delete(IRL_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(IRL_CACHE_KEY))


def confirmation_ceiling() -> Decimal:
    """The monthly rent above which the landlord is asked to confirm (setting)."""
    return Decimal(str(settings.RENT_CONFIRMATION_CEILING))


def declaration_history(tenancy: Tenancy, *, year: int) -> list[RentDeclaration]:
    """Every version of the July N declaration of a tenancy, oldest first, with who made it:
    the superseded ones, then the current one (shown the same way, not saved)."""
    versions = list(
        RentDeclaration.objects.filter(tenancy=tenancy, year=year)
        .select_related("declared_by")
        .order_by("version")
    )
    current = (
        JulyRent.objects.filter(tenancy=tenancy, year=year, submission__isnull=False)
        .select_related("recorded_by")
        .first()
    )
    if current is not None:
        versions.append(_as_version(current))
    return versions


def _as_version(rent: JulyRent) -> RentDeclaration:
    """The current declared rent in the shape of a version of the history (not saved)."""
    return RentDeclaration(
        submission_id=rent.submission_id,
        tenancy_id=rent.tenancy_id,
        year=rent.year,
        version=rent.version,
        amount=rent.amount,
        declared_by=rent.recorded_by,
        declared_at=rent.recorded_at,
    )


def latest_declaration(tenancy: Tenancy, *, year: int) -> JulyRent | RentDeclaration | None:
    """The latest declared version (``version``, ``amount``, ``submission``): the current rent
    when a landlord declared it, else the last superseded version (the agency recorded the
    rent otherwise since), else None."""
    current = JulyRent.objects.filter(tenancy=tenancy, year=year, submission__isnull=False).first()
    if current is not None:
        return current
    return RentDeclaration.objects.filter(tenancy=tenancy, year=year).order_by("-version").first()


def declared_in(year: int) -> Q:
    """Database condition on tenancies: a landlord declared the July N rent (its current rent
    is a declaration, or a declared version was since superseded by the agency's own)."""
    return Q(
        Exists(JulyRent.objects.filter(tenancy=OuterRef("pk"), year=year, submission__isnull=False))
    ) | Q(Exists(RentDeclaration.objects.filter(tenancy=OuterRef("pk"), year=year)))


def rent_known_in(year: int) -> Q:
    """Database condition on tenancies: the July N rent is known, declared by the landlord or
    had otherwise (the agency's feed, a validated receipt): the landlord has nothing to do,
    and its tenant list says so."""
    return Q(Exists(JulyRent.objects.filter(tenancy=OuterRef("pk"), year=year)))


def first_declarations_per_day(year: int, tenancy_ids: QuerySet) -> list[dict]:
    """How many July N rents of these tenancies (a query of their ids) were declared for the
    first time, per day (version 1, still current or superseded since), oldest day first:
    dicts of day, count."""
    counts: dict = {}
    for model, stamp in ((JulyRent, "recorded_at"), (RentDeclaration, "declared_at")):
        for row in (
            model.objects.filter(year=year, version=1, tenancy__in=tenancy_ids)
            .annotate(day=TruncDate(stamp))
            .values("day")
            .annotate(count=Count("id"))
            .order_by()
        ):
            counts[row["day"]] = counts.get(row["day"], 0) + row["count"]
    return [{"day": day, "count": counts[day]} for day in sorted(counts)]


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


def declarations_of_submission(submission: RentSubmission) -> QuerySet:
    """The lines of an acknowledgement, whether still current or superseded since, in
    recipient-number order: dicts of recipient_number, tenant_name, amount and version."""

    def lines(model):
        return (
            model.objects.filter(submission=submission)
            .annotate(
                recipient_number=F("tenancy__recipient_number"),
                tenant_name=F("tenancy__tenant_name"),
            )
            .values("recipient_number", "tenant_name", "amount", "version")
            .order_by()
        )

    return lines(JulyRent).union(lines(RentDeclaration), all=True).order_by("recipient_number")


def recent_bulk_imports(portfolio: Portfolio, *, limit: int = 20) -> list[BulkImport]:
    """The files of rents last deposited for this portfolio, newest first, with who sent them
    (their lines and errors left out): a landlord who closed the page finds a file again."""
    return list(
        BulkImport.objects.filter(portfolio=portfolio)
        .defer("valid_lines", "errors", "warnings")
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")[:limit]
    )


def bulk_import_for_portfolio(portfolio: Portfolio, import_id: int) -> BulkImport:
    """A deposited file of this portfolio, without its valid lines (only recording reads
    them); 404 for any other."""
    try:
        return BulkImport.objects.defer("valid_lines").get(pk=import_id, portfolio=portfolio)
    except BulkImport.DoesNotExist:
        raise Http404("Fichier introuvable") from None


# --- For the agency's staff (back office) ---------------------------------------------------


def receipt_queue() -> QuerySet[Receipt]:
    """Receipts waiting for an agent, oldest first."""
    return (
        Receipt.objects.filter(status=Receipt.Status.PENDING)
        .select_related("tenancy__portfolio__landlord")
        .order_by("submitted_at", "pk")
    )


def receipt_for_staff(receipt_id: int) -> Receipt:
    return get_object_or_404(
        Receipt.objects.select_related("tenancy__portfolio__landlord", "submitted_by"),
        pk=receipt_id,
    )


def campaign_counts_per_portfolio(year: int) -> QuerySet:
    """Per portfolio with a tenancy concerned by year N: ``portfolio_id``, ``total`` concerned
    and ``declared`` by the landlord. Read from the kept counts (a few rows per portfolio)
    once the year's states are built, else computed from the tenancies."""
    if CampaignStateYear.objects.filter(year=year).exists():
        return (
            CampaignStatusCount.objects.filter(year=year)
            .values("portfolio_id")
            .annotate(total=Sum("concerned"), declared=Sum("declared"))
            .filter(total__gt=0)
            .order_by()
        )
    return (
        concerned_tenancies(year)
        .values("portfolio_id")
        .annotate(total=Count("id"), declared=Count("id", filter=Q(is_declared=True)))
        .order_by()
    )


KEPT_YEAR_KEY = "rents:latest-kept-year"


def latest_kept_year() -> int | None:
    """The latest campaign year whose states are kept (cached a minute: built once a year)."""
    year = cache.get(KEPT_YEAR_KEY)
    if year is None:
        year = CampaignStateYear.objects.order_by("-year").values_list("year", flat=True).first()
        year = year or 0  # 0: none kept, cached as well
        cache.set(KEPT_YEAR_KEY, year, CAMPAIGN_CACHE_SECONDS)
    return year or None


def kept_tenancy_counts(portfolio_ids: list[int]) -> dict[int, int] | None:
    """How many tenancies each portfolio holds, summed from the kept counts of the latest kept
    year (a few rows a portfolio, on their unique index): every tenancy has a state in every
    kept year, kept by each write (campaign_state). None when no year is kept. Registered for
    "Mes parcs" and the tenant list's total (portfolios.selectors.tenancy_counts)."""
    year = latest_kept_year()
    if year is None:
        return None
    return dict(
        CampaignStatusCount.objects.filter(year=year, portfolio_id__in=portfolio_ids)
        .values_list("portfolio_id")
        .annotate(n=Sum("tenancies"))
        .order_by()
    )


def concerned_tenancy_ids(year: int) -> QuerySet:
    """The ids of the tenancies concerned by year N: from the kept states once built."""
    if CampaignStateYear.objects.filter(year=year).exists():
        return TenancyCampaignState.objects.filter(year=year, concerned=True).values("tenancy_id")
    return Tenancy.objects.filter(rules.active_in_july_q(year)).values("pk")


def concerned_tenancies(year: int) -> QuerySet[Tenancy]:
    """Tenancies that ran in July N, each flagged ``is_declared`` when N's rent was declared."""
    return Tenancy.objects.filter(rules.active_in_july_q(year)).annotate(
        is_declared=declared_in(year)
    )


def declared_rents(year: int) -> QuerySet[JulyRent]:
    """The July N rents landlords declared (online, by file or by receipt), for the export."""
    return (
        JulyRent.objects.filter(year=year)
        .exclude(source=JulyRent.Source.FEED)
        .select_related("tenancy")
        .order_by("tenancy__recipient_number")
    )
