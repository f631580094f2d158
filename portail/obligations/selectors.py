"""Reads of unpaid-rent reports and reported changes, for landlords and for staff."""

import datetime

from django.db.models import F, QuerySet
from django.http import Http404

from portail.portfolios.models import Portfolio, Tenancy

from .models import ChangeReport, RepaymentPlan, UnpaidRentReport, UnpaidRentRule

# Lists a landlord or an agent reads on one page (the queues are paginated by 50).
PORTFOLIO_LIST_LIMIT = 200


def unpaid_rules() -> list[UnpaidRentRule]:
    """Every dated unpaid-rent rule (a handful of rows)."""
    return list(UnpaidRentRule.objects.order_by("valid_from"))


def unpaid_rule_from(valid_from: datetime.date) -> UnpaidRentRule:
    return UnpaidRentRule.objects.get(valid_from=valid_from)


def open_unpaid_report(tenancy: Tenancy) -> UnpaidRentReport | None:
    """The tenancy's unpaid-rent report not closed yet, if any (at most one)."""
    return (
        UnpaidRentReport.objects.filter(tenancy=tenancy)
        .exclude(status=UnpaidRentReport.Status.CLOSED)
        .first()
    )


def unpaid_reports_of_portfolio(
    portfolio: Portfolio,
    *,
    status: str = "",
    recipient_number: str = "",
    updated_since: datetime.datetime | None = None,
) -> QuerySet[UnpaidRentReport]:
    """The portfolio's unpaid-rent reports, newest first, with their tenancy (one query): in
    one state, of one tenant, or changed since an instant (``updated_at``). Unsliced: the page
    shows the latest PORTFOLIO_LIST_LIMIT, the API pages by cursor."""
    queryset = UnpaidRentReport.objects.filter(portfolio=portfolio)
    return _filtered(
        queryset, status=status, recipient_number=recipient_number, updated_since=updated_since
    )


def change_reports_of_portfolio(
    portfolio: Portfolio,
    *,
    status: str = "",
    kind: str = "",
    recipient_number: str = "",
    updated_since: datetime.datetime | None = None,
) -> QuerySet[ChangeReport]:
    """The portfolio's reported changes, newest first, with their tenancy (one query): in one
    state, of one kind, of one tenant, or changed since an instant. Unsliced, as above."""
    queryset = ChangeReport.objects.filter(portfolio=portfolio)
    if kind:
        queryset = queryset.filter(kind=kind)
    return _filtered(
        queryset, status=status, recipient_number=recipient_number, updated_since=updated_since
    )


def _filtered(queryset, *, status: str, recipient_number: str, updated_since):
    if status:
        queryset = queryset.filter(status=status)
    if recipient_number:
        queryset = queryset.filter(tenancy__recipient_number=recipient_number)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return queryset.select_related("tenancy").order_by("-reported_at", "-id")


def unpaid_report_for_portfolio(portfolio: Portfolio, report_id: int) -> UnpaidRentReport:
    """One report of this portfolio with its tenancy and author; 404 for any other."""
    report = (
        UnpaidRentReport.objects.filter(portfolio=portfolio, pk=report_id)
        .select_related("tenancy", "reported_by", "rule")
        .first()
    )
    if report is None:
        raise Http404("Signalement introuvable")
    return report


def repayment_plan_for_portfolio(
    portfolio: Portfolio, report_id: int, plan_id: int
) -> RepaymentPlan:
    """One repayment plan sent for this report of this portfolio (the portfolio being one the
    user was granted, from portfolio_for_request); 404 for any other."""
    plan = (
        RepaymentPlan.objects.filter(pk=plan_id, report_id=report_id, report__portfolio=portfolio)
        .select_related("report__tenancy")
        .first()
    )
    if plan is None:
        raise Http404("Plan d'apurement introuvable")
    return plan


def change_report_for_portfolio(portfolio: Portfolio, report_id: int) -> ChangeReport:
    """One reported change of this portfolio with its tenancy and author; 404 for any other."""
    report = (
        ChangeReport.objects.filter(portfolio=portfolio, pk=report_id)
        .select_related("tenancy", "reported_by", "version_by")
        .first()
    )
    if report is None:
        raise Http404("Changement introuvable")
    return report


def tenancy_of_portfolio(portfolio: Portfolio, tenancy_id: int) -> Tenancy:
    """One tenancy of this portfolio; 404 for any other."""
    tenancy = Tenancy.objects.filter(portfolio=portfolio, pk=tenancy_id).first()
    if tenancy is None:
        raise Http404("Locataire introuvable")
    return tenancy


def tenancy_by_number(portfolio: Portfolio, recipient_number: str) -> Tenancy | None:
    return Tenancy.objects.filter(portfolio=portfolio, recipient_number=recipient_number).first()


def reports_of_tenancy(tenancy: Tenancy) -> tuple[list, list]:
    """The tenancy's unpaid-rent reports and reported changes, newest first (two queries)."""
    unpaid = list(UnpaidRentReport.objects.filter(tenancy=tenancy).order_by("-reported_at"))
    changes = list(ChangeReport.objects.filter(tenancy=tenancy).order_by("-reported_at"))
    for change in changes:
        change.tenancy = tenancy
    return unpaid, changes


def report_history(report: UnpaidRentReport) -> tuple[list, list]:
    """The report's steps with their authors, and its repayment plans (two queries)."""
    return (
        list(report.events.select_related("actor").order_by("at", "id")),
        list(report.plans.order_by("uploaded_at", "id")),
    )


def change_versions(report: ChangeReport) -> list:
    return list(report.versions.select_related("declared_by").order_by("version"))


# --- Staff ------------------------------------------------------------------------------------


def unpaid_report_queue(
    *, status: str = "", late: bool = False, search: str = ""
) -> QuerySet[UnpaidRentReport]:
    """Unpaid-rent reports for the agents, oldest first: by state (open ones by default), only
    those reported after their deadline, or for a recipient number or a landlord's name."""
    queryset = UnpaidRentReport.objects.select_related("tenancy", "portfolio__landlord")
    if status in UnpaidRentReport.Status.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status=UnpaidRentReport.Status.CLOSED)
    if late:
        queryset = queryset.filter(reported_at__date__gt=F("deadline"))
    queryset = _searched(queryset, search)
    return queryset.order_by("reported_at", "id")


def change_report_queue(*, status: str = "", kind: str = "", search: str = "") -> QuerySet:
    """Reported changes for the agents, oldest first: pending ones by default, by kind."""
    queryset = ChangeReport.objects.select_related("tenancy", "portfolio__landlord")
    if status in ChangeReport.Status.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status=ChangeReport.Status.DECLARED)
    if kind in ChangeReport.Kind.values:
        queryset = queryset.filter(kind=kind)
    queryset = _searched(queryset, search)
    return queryset.order_by("reported_at", "id")


def _searched(queryset, search: str):
    search = (search or "").strip()
    if not search:
        return queryset
    if search.isdigit():
        return queryset.filter(tenancy__recipient_number=search)
    return queryset.filter(portfolio__landlord__name__icontains=search)


def unpaid_report_for_staff(report_id: int) -> UnpaidRentReport:
    report = (
        UnpaidRentReport.objects.select_related(
            "tenancy", "portfolio__landlord", "reported_by", "rule"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("Signalement introuvable")
    return report


def change_report_for_staff(report_id: int) -> ChangeReport:
    report = (
        ChangeReport.objects.select_related(
            "tenancy", "portfolio__landlord", "reported_by", "version_by", "handled_by"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("Changement introuvable")
    return report


def open_unpaid_reports_of(tenancy_ids: list[int]) -> dict[int, UnpaidRentReport]:
    """The open unpaid-rent report of each of these tenancies that has one (one query; at most
    one per tenancy), for a page of the tenant list."""
    reports = (
        UnpaidRentReport.objects.filter(tenancy_id__in=tenancy_ids)
        .exclude(status=UnpaidRentReport.Status.CLOSED)
        .only("id", "tenancy_id", "status", "reported_at")
    )
    return {report.tenancy_id: report for report in reports}
