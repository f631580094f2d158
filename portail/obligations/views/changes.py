"""Reported changes: report a departure, a new number of co-tenants or the end of management,
follow it, correct or withdraw it while the agency has not handled it."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from portail.common.http import client_ip
from portail.common.pdf import pdf_download
from portail.portfolios.selectors import portfolio_for_request

from .. import rules, selectors, services
from ..forms import ChangeForm
from ..models import ChangeReport
from .common import declaring_portfolio, recorded


@login_required
def change_reports(request, portfolio_id: int):
    portfolio = portfolio_for_request(request, portfolio_id)
    return render(
        request,
        "obligations/change_list.html",
        {
            "portfolio": portfolio,
            "reports": selectors.change_reports_of_portfolio(portfolio)[
                : selectors.PORTFOLIO_LIST_LIMIT
            ],
        },
    )


@login_required
def change_new(request, portfolio_id: int, tenancy_id: int, kind: str):
    """Report a departure, a new number of co-tenants or the end of management."""
    portfolio = declaring_portfolio(request, portfolio_id)
    tenancy = selectors.tenancy_of_portfolio(portfolio, tenancy_id)
    if request.method != "POST":
        form = ChangeForm(initial={"token": uuid.uuid4()}, kind=kind)
    else:
        form = ChangeForm(request.POST, kind=kind)
        report = recorded(
            form,
            lambda: services.report_change(
                user=request.user,
                portfolio=portfolio,
                tenancy_id=tenancy.pk,
                content=form.content(),
                token=form.cleaned_data["token"] or uuid.uuid4(),
                ip=client_ip(request),
            ),
        )
        if report is not None:
            return redirect(
                "obligations:change_report", portfolio_id=portfolio.pk, change_id=report.pk
            )
    return render(
        request,
        "obligations/change_form.html",
        {"portfolio": portfolio, "tenancy": tenancy, "form": form, "kind": kind},
    )


def _change_context(request, portfolio_id, report_id):
    portfolio = portfolio_for_request(request, portfolio_id)
    report = selectors.change_report_for_portfolio(portfolio, report_id)
    context = {
        "portfolio": portfolio,
        "report": report,
        "versions": selectors.change_versions(report),
    }
    if report.kind == ChangeReport.Kind.DEPARTURE:
        context["departure_rule"] = rules.departure_month_rule(
            move_out=report.move_out_date, direct_payment=report.tenancy.direct_payment
        )
    return context


@login_required
def change_report(request, portfolio_id: int, change_id: int):
    """The acknowledgement of a change, its versions, and while pending: correct or withdraw."""
    context = _change_context(request, portfolio_id, change_id)
    return render(request, "obligations/change_report.html", context)


@login_required
def change_report_pdf(request, portfolio_id: int, change_id: int):
    context = _change_context(request, portfolio_id, change_id)
    return pdf_download(
        "obligations/change_report_pdf.html",
        context,
        filename=f"accuse-changement-{context['report'].pk}.pdf",
    )


@login_required
def change_correct(request, portfolio_id: int, change_id: int):
    """Correct a change the agency has not handled yet: a new version, the former one kept."""
    portfolio = declaring_portfolio(request, portfolio_id)
    report = selectors.change_report_for_portfolio(portfolio, change_id)
    fields = ChangeForm.FIELDS[report.kind]
    if request.method != "POST":
        initial = {field: getattr(report, field) for field in fields}
        form = ChangeForm(initial={**initial, "version": report.version}, kind=report.kind)
    else:
        form = ChangeForm(request.POST, kind=report.kind)
        corrected = recorded(
            form,
            lambda: services.correct_change(
                user=request.user,
                portfolio=portfolio,
                report_id=report.pk,
                content=form.content(),
                expected_version=form.cleaned_data["version"] or 0,
                ip=client_ip(request),
            ),
        )
        if corrected is not None:
            messages.success(request, "Correction enregistrée.")
            return redirect(
                "obligations:change_report", portfolio_id=portfolio.pk, change_id=report.pk
            )
    return render(
        request,
        "obligations/change_form.html",
        {
            "portfolio": portfolio,
            "tenancy": report.tenancy,
            "form": form,
            "kind": report.kind,
            "report": report,
        },
    )


@login_required
def change_withdraw(request, portfolio_id: int, change_id: int):
    portfolio = declaring_portfolio(request, portfolio_id)
    report = selectors.change_report_for_portfolio(portfolio, change_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.withdraw_change(
            user=request.user, portfolio=portfolio, report_id=report.pk, ip=client_ip(request)
        )
    except services.ReportRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Changement retiré : la Caf n'en tiendra pas compte.")
    return redirect("obligations:change_report", portfolio_id=portfolio.pk, change_id=report.pk)
