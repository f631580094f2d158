"""Unpaid-rent reports: list and read them (a read token); report one, send its repayment plan,
declare its debt paid off (a declare token)."""

import datetime
import hashlib
import uuid
from typing import Literal

from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from portail.api.queries import query_parameters
from portail.api.schemas import Amount, ProblemOut, amount_text
from portail.api.selectors import portfolio_of_token
from portail.common.http import client_ip
from portail.obligations import selectors, services
from portail.obligations.forms import PaidOffForm, RepaymentPlanForm, UnpaidRentForm

from .common import (
    CURSOR,
    IDEMPOTENCY_KEY,
    LIMIT,
    NO_NUL,
    OPTIONAL_IDEMPOTENCY_KEY,
    RECIPIENT,
    UPDATED_SINCE,
    declaring,
    newest_first,
    once,
    recipient_tenancy,
    since,
    valid,
)

router = Router()


class UnpaidIn(Schema):
    recipient_number: str = Field(max_length=13, pattern=NO_NUL)
    first_unpaid_month: str = Field(max_length=20, examples=["2026-09"])
    monthly_rent: str = Field(max_length=20, examples=["650.00"])
    monthly_charges: str | None = Field(None, max_length=20, examples=["20.00"])
    aid: str | None = Field(None, max_length=20, description="Direct payment only.")
    amount_owed: str = Field(max_length=20, examples=["1300.00"])
    tenant_pays_part: bool


UnpaidStatus = Literal["received", "under_review", "plan_expected", "closed"]


class UnpaidOut(Schema):
    id: int
    recipient_number: str
    status: UnpaidStatus
    first_unpaid_month: datetime.date
    amount_owed: Amount
    threshold: Amount
    deadline: datetime.date
    reported_at: datetime.datetime
    version: int
    plan_due_on: datetime.date | None = Field(
        description="The repayment plan is expected by then (plan_expected)."
    )
    paid_off_on: datetime.date | None = Field(description="The debt declared paid off that day.")
    updated_at: datetime.datetime = Field(description="Its last step (what updated_since reads).")


class UnpaidPage(Schema):
    items: list[UnpaidOut]
    next_cursor: str | None


class PaidOffIn(Schema):
    paid_off_on: str = Field(max_length=20, examples=["2026-11-15"])


class PlanOut(Schema):
    id: int
    unpaid_rent_report_id: int
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    uploaded_at: datetime.datetime
    report_version: int = Field(description="The report's version after this plan.")


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
        "plan_due_on": report.plan_due_on,
        "paid_off_on": report.paid_off_on,
        "updated_at": report.updated_at,
    }


@router.get(
    "/portfolios/{portfolio_id}/unpaid-rent-reports",
    response={200: UnpaidPage, 404: ProblemOut},
    operation_id="list_unpaid_rent_reports",
)
@query_parameters("status", "recipient_number", "updated_since", "cursor", "limit")
def list_unpaid_rent_reports(
    request,
    portfolio_id: int,
    status: UnpaidStatus | None = None,
    recipient_number: str | None = RECIPIENT,
    updated_since: str | None = UPDATED_SINCE,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """The portfolio's unpaid-rent reports, newest first, filtered by state, tenant or last
    change; follow ``next_cursor`` for the next page."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    reports = selectors.unpaid_reports_of_portfolio(
        portfolio,
        status=status or "",
        recipient_number=recipient_number or "",
        updated_since=since(updated_since),
    )
    return newest_first(reports, cursor=cursor, limit=limit, out=_unpaid_out)


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
def report_unpaid_rent(
    request,
    portfolio_id: int,
    report: UnpaidIn,
    idempotency_key: str | None = OPTIONAL_IDEMPOTENCY_KEY,
):
    """Report an unpaid rent: reportable once the debt reaches the threshold of the rule in
    force, within its time limit (the screen's check and messages)."""
    portfolio = declaring(request, portfolio_id)
    tenancy = recipient_tenancy(portfolio, report.recipient_number)
    data = report.dict(exclude={"recipient_number"}, exclude_none=True)
    data["tenant_pays_part"] = "oui" if report.tenant_pays_part else "non"
    form = UnpaidRentForm(data, direct_payment=tenancy.direct_payment)
    return once(
        request,
        key=idempotency_key,
        form=form,
        write=lambda: services.report_unpaid_rent(
            user=request.auth.created_by,
            portfolio=portfolio,
            tenancy_id=tenancy.pk,
            token=uuid.uuid4(),
            ip=client_ip(request),
            **form.facts(),
        ),
        status=201,
        out=_unpaid_out,
    )


def _unpaid_report_to_follow(request, portfolio_id: int, report_id: int):
    portfolio = declaring(request, portfolio_id)
    return portfolio, selectors.unpaid_report_for_portfolio(portfolio, report_id)


@router.post(
    "/portfolios/{portfolio_id}/unpaid-rent-reports/{report_id}/repayment-plans",
    response={201: PlanOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="send_repayment_plan",
)
@query_parameters()
def send_repayment_plan(
    request,
    portfolio_id: int,
    report_id: int,
    file: UploadedFile = File(..., description="The signed plan: PDF, JPEG or PNG, 10 MB."),
    idempotency_key: str = IDEMPOTENCY_KEY,
):
    """Send the signed repayment plan (plan d'apurement) of an unpaid rent not closed: the
    screen's checks (a PDF, JPEG or PNG read from its content, 10 MB at most). Recorded once
    per Idempotency-Key."""
    portfolio, report = _unpaid_report_to_follow(request, portfolio_id, report_id)
    form = RepaymentPlanForm(files={"file": file})
    valid(form)  # its size and type before reading it whole for the fingerprint
    return once(
        request,
        key=idempotency_key,
        form=form,
        write=lambda: services.send_repayment_plan(
            user=request.auth.created_by,
            portfolio=portfolio,
            report_id=report.pk,
            upload=form.cleaned_data["file"],
            ip=client_ip(request),
        ),
        status=201,
        out=_plan_out,
        body=_digest(file),
    )


def _plan_out(plan) -> dict:
    return {
        "id": plan.pk,
        "unpaid_rent_report_id": plan.report_id,
        "content_type": plan.content_type,
        "uploaded_at": plan.uploaded_at,
        "report_version": plan.report.version,
    }


def _digest(upload) -> bytes:
    """The file's SHA-256, standing for a multipart body in the request's fingerprint."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest().encode()


@router.post(
    "/portfolios/{portfolio_id}/unpaid-rent-reports/{report_id}/paid-off",
    response={200: UnpaidOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="declare_debt_paid_off",
)
@query_parameters()
def declare_debt_paid_off(
    request,
    portfolio_id: int,
    report_id: int,
    paid_off: PaidOffIn,
    idempotency_key: str = IDEMPOTENCY_KEY,
):
    """Declare the debt paid off on a past day after the first unpaid month; the agency then
    closes the report. Recorded once per Idempotency-Key."""
    portfolio, report = _unpaid_report_to_follow(request, portfolio_id, report_id)
    form = PaidOffForm({"paid_off_on": paid_off.paid_off_on})
    return once(
        request,
        key=idempotency_key,
        form=form,
        write=lambda: services.declare_debt_paid_off(
            user=request.auth.created_by,
            portfolio=portfolio,
            report_id=report.pk,
            paid_off_on=form.cleaned_data["paid_off_on"],
            ip=client_ip(request),
        ),
        status=200,
        out=_unpaid_out,
        field="paid_off_on",
    )
