"""Reported changes (departures, co-tenants, end of management): list them (a read token);
report one, correct or withdraw it while the agency has not handled it (a declare token)."""

import datetime
import uuid
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from portail.api.queries import query_parameters
from portail.api.schemas import ProblemOut
from portail.api.selectors import portfolio_of_token
from portail.common.http import client_ip
from portail.obligations import selectors, services
from portail.obligations.forms import ChangeForm

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
)

router = Router()
Text = Field(None, max_length=300, pattern=NO_NUL)


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
        updated_since=since(updated_since),
    )
    return newest_first(changes, cursor=cursor, limit=limit, out=_change_out)


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
    portfolio = declaring(request, portfolio_id)
    tenancy = recipient_tenancy(portfolio, change.recipient_number)
    form = ChangeForm(
        change.dict(exclude={"recipient_number", "kind"}, exclude_none=True), kind=change.kind
    )
    return once(
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
    portfolio = declaring(request, portfolio_id)
    report = selectors.change_report_for_portfolio(portfolio, change_id)  # 404 outside
    data = correction.dict(exclude={"based_on_version"}, exclude_none=True)
    version = correction.based_on_version
    form = ChangeForm(
        {**data, "version": report.version if version is None else version}, kind=report.kind
    )
    return once(
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
    portfolio = declaring(request, portfolio_id)
    selectors.change_report_for_portfolio(portfolio, change_id)  # 404 outside the portfolio
    return once(
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
