"""Unpaid-rent reports and reported changes (departures, co-tenants, end of management): the
screens' forms check the fields (their French messages) and portail.obligations' services
write (their rules and refusals). Reading takes a read token; reporting, correcting and the
later steps of an unpaid rent (repayment plan, debt paid off), a declare token. The lists are
paginated by cursor, newest first."""

import datetime
import hashlib
import uuid
from collections.abc import Callable
from typing import Literal, TypeVar

from django.db.models import Q
from django.http import Http404
from ninja import File, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from portail.common.http import client_ip
from portail.obligations import selectors, services
from portail.obligations.forms import ChangeForm, PaidOffForm, RepaymentPlanForm, UnpaidRentForm

from .. import idempotency, pagination
from ..auth import require_declare
from ..problems import Problem
from ..queries import INSTANT_PATTERN, instant, query_parameters
from ..schemas import Amount, ProblemOut, amount_text
from ..selectors import portfolio_of_token

router = Router(tags=["obligations"])
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


ChangeKind = Literal["departure", "co_tenants", "end_of_management"]
ChangeStatus = Literal["declared", "handled", "withdrawn"]


class ChangeFields(Schema):
    """A change's fields: those of its kind are read, the others ignored (as on the screen)."""

    move_out_date: str | None = Field(None, max_length=20, examples=["2026-12-31"])
    lease_end_date: str | None = Field(None, max_length=20)
    new_address: str | None = Text
    co_tenant_count: int | None = Field(None, ge=-1000, le=1000)
    change_date: str | None = Field(None, max_length=20)
    end_reason: Literal["sale", "death", "mandate"] | None = None


class ChangeIn(ChangeFields):
    recipient_number: str = Field(max_length=13, pattern=NO_NUL)
    kind: ChangeKind


class ChangeCorrectionIn(ChangeFields):
    """The whole change as it should now read (a field left out is emptied, as on the
    screen's form)."""

    based_on_version: int | None = Field(
        None,
        ge=0,
        le=1_000_000,
        description="The version this correction is based on; a later version recorded "
        "meanwhile refuses it. Default: the current version.",
    )


class ChangeOut(Schema):
    id: int
    recipient_number: str
    kind: ChangeKind
    status: ChangeStatus
    move_out_date: datetime.date | None
    lease_end_date: datetime.date | None
    co_tenant_count: int | None
    change_date: datetime.date | None
    end_reason: str
    reported_at: datetime.datetime
    version: int
    updated_at: datetime.datetime = Field(
        description="Its last correction or state (what updated_since reads)."
    )


class ChangePage(Schema):
    items: list[ChangeOut]
    next_cursor: str | None


T = TypeVar("T")
IDEMPOTENCY_KEY = Header(
    ...,
    alias="Idempotency-Key",
    min_length=1,
    max_length=idempotency.LONGEST_KEY,
    description="A new value (a UUID) for each step, the same for its retries.",
)
# Optional where v1 first served the operation without it (a new required header would break
# the software already calling it): with it, a retry gets the first answer.
OPTIONAL_IDEMPOTENCY_KEY = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=idempotency.LONGEST_KEY,
    description="Optional: a new value (a UUID) for each report, the same for its retries, "
    "which then get the first answer instead of « déjà déclaré ».",
)


def _declaring(request, portfolio_id: int):
    require_declare(request)
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    if not portfolio.may_declare:
        raise Problem(403, services.CANNOT_DECLARE, slug="forbidden")
    return portfolio


def _tenancy(portfolio, recipient_number: str):
    tenancy = selectors.tenancy_by_number(portfolio, recipient_number)
    if tenancy is None:
        raise Http404("Locataire introuvable")
    return tenancy


def _valid(form) -> None:
    """422 with the screen's form's own French messages, the first one as the detail."""
    if not form.is_valid():
        errors = [
            {"field": field if field != "__all__" else "", "detail": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        raise Problem(422, errors[0]["detail"], slug="validation-error", errors=errors)


def _recorded(form, write: Callable[[], T], *, field: str = "") -> T:
    """What the service ``write`` returns once the screen's form (if any) is valid; 422 with
    the form's messages, or with the service's refusal (on ``field`` where the screen puts
    it)."""
    if form is not None:
        _valid(form)
    try:
        return write()
    except services.ReportRefused as refusal:
        errors = [{"field": field, "detail": refusal.message}] if field else None
        raise Problem(422, refusal.message, slug="report-refused", errors=errors) from None


def _once(
    request,
    *,
    key: str | None,
    form,
    write: Callable[[], T],
    status: int,
    out: Callable[[T], dict],
    field: str = "",
    body: bytes | None = None,
) -> Status:
    """A write of the obligations: the screen's form, then its service (``_recorded``), run
    once per Idempotency-Key, claimed before writing (idempotency.run_once): a retry or a
    parallel twin gets the first answer, ``status`` and ``out`` of what was recorded."""
    answered, answer = idempotency.run_once(
        request,
        key=key,
        write=lambda: (status, out(_recorded(form, write, field=field))),
        claim_first=True,
        body=body,
    )
    return Status(answered, answer)


def _page(queryset, *, cursor: str | None, limit: int, out: Callable[..., dict]) -> dict:
    """A page of reports newest first (reported_at, then id, descending), after the cursor's."""
    after = pagination.decode(cursor, str, int)
    if after is not None:
        try:
            when = datetime.datetime.fromisoformat(after[0])
            when = when.astimezone(datetime.UTC) if when.tzinfo else None
        except (ValueError, OverflowError):
            when = None
        if when is None:
            raise pagination.invalid()
        queryset = queryset.filter(Q(reported_at__lt=when) | Q(reported_at=when, id__lt=after[1]))
    page = list(queryset[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if more else None
    return {
        "items": [out(report) for report in page],
        "next_cursor": pagination.encode([last.reported_at.isoformat(), last.pk]) if last else None,
    }


def _since(updated_since: str | None) -> datetime.datetime | None:
    return None if updated_since is None else instant(updated_since)


CURSOR = Query(None, max_length=200, description="next_cursor of the previous page")
LIMIT = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.LARGEST_LIMIT)
RECIPIENT = Query(None, max_length=13, pattern=NO_NUL, description="One tenant's reports")
UPDATED_SINCE = Query(
    None,
    pattern=INSTANT_PATTERN,
    description="Reports changed (reported, corrected, a new state or step) since this "
    "instant: ISO 8601 with its offset, e.g. 2026-09-01T00:00:00Z",
)


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
        updated_since=_since(updated_since),
    )
    return _page(reports, cursor=cursor, limit=limit, out=_unpaid_out)


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
    portfolio = _declaring(request, portfolio_id)
    tenancy = _tenancy(portfolio, report.recipient_number)
    data = report.dict(exclude={"recipient_number"}, exclude_none=True)
    data["tenant_pays_part"] = "oui" if report.tenant_pays_part else "non"
    form = UnpaidRentForm(data, direct_payment=tenancy.direct_payment)
    return _once(
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
    portfolio = _declaring(request, portfolio_id)
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
    _valid(form)  # its size and type before reading it whole for the fingerprint
    return _once(
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
    return _once(
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


@router.get(
    "/portfolios/{portfolio_id}/changes",
    response={200: ChangePage, 404: ProblemOut},
    operation_id="list_changes",
)
@query_parameters("status", "kind", "recipient_number", "updated_since", "cursor", "limit")
def list_changes(
    request,
    portfolio_id: int,
    status: ChangeStatus | None = None,
    kind: ChangeKind | None = None,
    recipient_number: str | None = RECIPIENT,
    updated_since: str | None = UPDATED_SINCE,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    """The portfolio's reported changes (departures …), newest first, filtered by state,
    kind, tenant or last change; follow ``next_cursor`` for the next page."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    changes = selectors.change_reports_of_portfolio(
        portfolio,
        status=status or "",
        kind=kind or "",
        recipient_number=recipient_number or "",
        updated_since=_since(updated_since),
    )
    return _page(changes, cursor=cursor, limit=limit, out=_change_out)


@router.post(
    "/portfolios/{portfolio_id}/changes",
    response={201: ChangeOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="report_change",
)
@query_parameters()
def report_change(
    request,
    portfolio_id: int,
    change: ChangeIn,
    idempotency_key: str | None = OPTIONAL_IDEMPOTENCY_KEY,
):
    """Report a departure, a new number of co-tenants or the end of management."""
    portfolio = _declaring(request, portfolio_id)
    tenancy = _tenancy(portfolio, change.recipient_number)
    form = ChangeForm(
        change.dict(exclude={"recipient_number", "kind"}, exclude_none=True), kind=change.kind
    )
    return _once(
        request,
        key=idempotency_key,
        form=form,
        write=lambda: services.report_change(
            user=request.auth.created_by,
            portfolio=portfolio,
            tenancy_id=tenancy.pk,
            content=form.content(),
            token=uuid.uuid4(),
            ip=client_ip(request),
        ),
        status=201,
        out=_change_out,
    )


@router.post(
    "/portfolios/{portfolio_id}/changes/{change_id}/correct",
    response={200: ChangeOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="correct_change",
)
@query_parameters()
def correct_change(
    request,
    portfolio_id: int,
    change_id: int,
    correction: ChangeCorrectionIn,
    idempotency_key: str = IDEMPOTENCY_KEY,
):
    """Correct a change the agency has not handled yet: a new version, the former one kept
    (the screen's form and rules). Recorded once per Idempotency-Key."""
    portfolio = _declaring(request, portfolio_id)
    report = selectors.change_report_for_portfolio(portfolio, change_id)  # 404 outside
    data = correction.dict(exclude={"based_on_version"}, exclude_none=True)
    version = correction.based_on_version
    form = ChangeForm(
        {**data, "version": report.version if version is None else version}, kind=report.kind
    )
    return _once(
        request,
        key=idempotency_key,
        form=form,
        write=lambda: services.correct_change(
            user=request.auth.created_by,
            portfolio=portfolio,
            report_id=report.pk,
            content=form.content(),
            expected_version=form.cleaned_data["version"],
            ip=client_ip(request),
        ),
        status=200,
        out=_change_out,
    )


@router.post(
    "/portfolios/{portfolio_id}/changes/{change_id}/withdraw",
    response={200: ChangeOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="withdraw_change",
)
@query_parameters()
def withdraw_change(
    request,
    portfolio_id: int,
    change_id: int,
    idempotency_key: str | None = OPTIONAL_IDEMPOTENCY_KEY,
):
    """Withdraw a change the agency has not handled yet."""
    portfolio = _declaring(request, portfolio_id)
    selectors.change_report_for_portfolio(portfolio, change_id)  # 404 outside the portfolio
    return _once(
        request,
        key=idempotency_key,
        form=None,
        write=lambda: services.withdraw_change(
            user=request.auth.created_by,
            portfolio=portfolio,
            report_id=change_id,
            ip=client_ip(request),
        ),
        status=200,
        out=_change_out,
    )
