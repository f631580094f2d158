"""Unpaid-rent reports and reported changes (departures, co-tenants, end of management): the
screens' forms check the fields (their French messages) and portail.obligations' services
write (their rules and refusals). Reading takes a read token; reporting, a declare token."""

import datetime
import uuid
from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from portail.common.http import client_ip
from portail.obligations import selectors, services
from portail.obligations.forms import ChangeForm, UnpaidRentForm

from ..auth import require_declare
from ..problems import Problem
from ..queries import query_parameters
from ..schemas import Amount, ProblemOut, amount_text
from ..selectors import portfolio_of_token

router = Router(tags=["obligations"])
CANNOT_DECLARE = "Vous pouvez consulter ce parc mais pas y déclarer."
NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot compare text holding NUL
Text = Field(None, max_length=300, pattern=NO_NUL)


class UnpaidIn(Schema):
    recipient_number: str = Field(max_length=13, pattern=NO_NUL)
    first_unpaid_month: str = Field(max_length=20, examples=["2026-09"])
    monthly_rent: str = Field(max_length=20, examples=["650.00"])
    monthly_charges: str | None = Field(None, max_length=20, examples=["20.00"])
    aid: str | None = Field(None, max_length=20, description="Direct payment only.")
    amount_owed: str = Field(max_length=20, examples=["1300.00"])
    tenant_pays_part: bool


class UnpaidOut(Schema):
    id: int
    recipient_number: str
    status: str
    first_unpaid_month: datetime.date
    amount_owed: Amount
    threshold: Amount
    deadline: datetime.date
    reported_at: datetime.datetime
    version: int


class UnpaidList(Schema):
    items: list[UnpaidOut]


ChangeKind = Literal["departure", "co_tenants", "end_of_management"]


class ChangeIn(Schema):
    recipient_number: str = Field(max_length=13, pattern=NO_NUL)
    kind: ChangeKind
    move_out_date: str | None = Field(None, max_length=20, examples=["2026-12-31"])
    lease_end_date: str | None = Field(None, max_length=20)
    new_address: str | None = Text
    co_tenant_count: int | None = Field(None, ge=-1000, le=1000)
    change_date: str | None = Field(None, max_length=20)
    end_reason: Literal["sale", "death", "mandate"] | None = None


class ChangeOut(Schema):
    id: int
    recipient_number: str
    kind: str
    status: str
    move_out_date: datetime.date | None
    lease_end_date: datetime.date | None
    co_tenant_count: int | None
    change_date: datetime.date | None
    end_reason: str
    reported_at: datetime.datetime
    version: int


class ChangeList(Schema):
    items: list[ChangeOut]


def _declaring(request, portfolio_id: int):
    require_declare(request)
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    if not portfolio.may_declare:
        raise Problem(403, CANNOT_DECLARE, slug="forbidden")
    return portfolio


def _tenancy(portfolio, recipient_number: str):
    tenancy = selectors.tenancy_by_number(portfolio, recipient_number)
    if tenancy is None:
        raise Http404("Locataire introuvable")
    return tenancy


def _invalid(form) -> Problem:
    """The form's own French messages, the first one as the detail."""
    errors = [
        {"field": field if field != "__all__" else "", "detail": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]
    return Problem(422, errors[0]["detail"], slug="validation-error", errors=errors)


def _refused(refusal) -> Problem:
    return Problem(422, refusal.message, slug="report-refused")


def _unpaid_out(report) -> dict:
    return {
        "id": report.pk,
        "recipient_number": report.tenancy.recipient_number,
        "status": report.status,
        "first_unpaid_month": report.first_unpaid_month,
        "amount_owed": amount_text(report.amount_owed),
        "threshold": amount_text(report.threshold),
        "deadline": report.deadline,
        "reported_at": report.reported_at,
        "version": report.version,
    }


def _change_out(report) -> dict:
    return {
        "id": report.pk,
        "recipient_number": report.tenancy.recipient_number,
        **{
            f: getattr(report, f)
            for f in ("kind", "status", "move_out_date", "lease_end_date", "co_tenant_count")
        },
        "change_date": report.change_date,
        "end_reason": report.end_reason,
        "reported_at": report.reported_at,
        "version": report.version,
    }


@router.get(
    "/portfolios/{portfolio_id}/unpaid-rent-reports",
    response={200: UnpaidList, 404: ProblemOut},
    operation_id="list_unpaid_rent_reports",
)
@query_parameters()
def list_unpaid_rent_reports(request, portfolio_id: int):
    """The portfolio's unpaid-rent reports, newest first (the page's latest ones)."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    reports = selectors.unpaid_reports_of_portfolio(portfolio)
    return {"items": [_unpaid_out(r) for r in reports]}


@router.get(
    "/portfolios/{portfolio_id}/unpaid-rent-reports/{report_id}",
    response={200: UnpaidOut, 404: ProblemOut},
    operation_id="get_unpaid_rent_report",
)
@query_parameters()
def get_unpaid_rent_report(request, portfolio_id: int, report_id: int):
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    return _unpaid_out(selectors.unpaid_report_for_portfolio(portfolio, report_id))


@router.post(
    "/portfolios/{portfolio_id}/unpaid-rent-reports",
    response={201: UnpaidOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="report_unpaid_rent",
)
@query_parameters()
def report_unpaid_rent(request, portfolio_id: int, report: UnpaidIn):
    """Report an unpaid rent: reportable once the debt reaches the threshold of the rule in
    force, within its time limit (the screen's check and messages)."""
    portfolio = _declaring(request, portfolio_id)
    tenancy = _tenancy(portfolio, report.recipient_number)
    data = report.dict(exclude={"recipient_number"}, exclude_none=True)
    data["tenant_pays_part"] = "oui" if report.tenant_pays_part else "non"
    form = UnpaidRentForm(data, direct_payment=tenancy.direct_payment)
    if not form.is_valid():
        raise _invalid(form)
    try:
        recorded = services.report_unpaid_rent(
            user=request.auth.created_by,
            portfolio=portfolio,
            tenancy_id=tenancy.pk,
            token=uuid.uuid4(),
            ip=client_ip(request),
            **form.facts(),
        )
    except services.ReportRefused as refusal:
        raise _refused(refusal) from None
    return Status(201, _unpaid_out(recorded))


@router.get(
    "/portfolios/{portfolio_id}/changes",
    response={200: ChangeList, 404: ProblemOut},
    operation_id="list_changes",
)
@query_parameters()
def list_changes(request, portfolio_id: int):
    """The portfolio's reported changes (departures …), newest first."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    return {"items": [_change_out(r) for r in selectors.change_reports_of_portfolio(portfolio)]}


@router.post(
    "/portfolios/{portfolio_id}/changes",
    response={201: ChangeOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="report_change",
)
@query_parameters()
def report_change(request, portfolio_id: int, change: ChangeIn):
    """Report a departure, a new number of co-tenants or the end of management."""
    portfolio = _declaring(request, portfolio_id)
    tenancy = _tenancy(portfolio, change.recipient_number)
    form = ChangeForm(
        change.dict(exclude={"recipient_number", "kind"}, exclude_none=True), kind=change.kind
    )
    if not form.is_valid():
        raise _invalid(form)
    try:
        recorded = services.report_change(
            user=request.auth.created_by,
            portfolio=portfolio,
            tenancy_id=tenancy.pk,
            content=form.content(),
            token=uuid.uuid4(),
            ip=client_ip(request),
        )
    except services.ReportRefused as refusal:
        raise _refused(refusal) from None
    return Status(201, _change_out(recorded))


@router.post(
    "/portfolios/{portfolio_id}/changes/{change_id}/withdraw",
    response={200: ChangeOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="withdraw_change",
)
@query_parameters()
def withdraw_change(request, portfolio_id: int, change_id: int):
    """Withdraw a change the agency has not handled yet."""
    portfolio = _declaring(request, portfolio_id)
    selectors.change_report_for_portfolio(portfolio, change_id)  # 404 outside the portfolio
    try:
        report = services.withdraw_change(
            user=request.auth.created_by,
            portfolio=portfolio,
            report_id=change_id,
            ip=client_ip(request),
        )
    except services.ReportRefused as refusal:
        raise _refused(refusal) from None
    return _change_out(report)
