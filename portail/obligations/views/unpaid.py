"""Unpaid rent: report one (with the live check of the rule in force), follow it, send its
repayment plan, declare its debt paid off."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from portail.common import clock
from portail.common.http import client_ip
from portail.common.pdf import pdf_download
from portail.portfolios.selectors import portfolio_for_request

from .. import rules, selectors, services
from ..forms import PaidOffForm, RepaymentPlanForm, TenancyChoiceForm, UnpaidRentForm
from .common import declaring_portfolio, recorded


@login_required
def unpaid_reports(request, portfolio_id: int):
    """The portfolio's "Signaler un impayé" entry (a tenant by recipient number) and its
    reports."""
    portfolio = portfolio_for_request(request, portfolio_id)
    form = TenancyChoiceForm(request.GET or None)
    if portfolio.may_declare and form.is_valid():
        found = selectors.tenancy_by_number(portfolio, form.cleaned_data["recipient_number"])
        if found is not None:
            return redirect(
                "obligations:unpaid_new", portfolio_id=portfolio.pk, tenancy_id=found.pk
            )
        form.add_error(
            "recipient_number",
            "Aucun locataire de ce parc n'a ce numéro allocataire : vérifiez-le dans la liste "
            "de vos locataires.",
        )
    return render(
        request,
        "obligations/unpaid_list.html",
        {
            "portfolio": portfolio,
            "form": form,
            "reports": selectors.unpaid_reports_of_portfolio(portfolio)[
                : selectors.PORTFOLIO_LIST_LIMIT
            ],
        },
    )


def _assessment(tenancy, form):
    if not form.is_valid():
        return None
    facts = form.facts()
    return rules.assess_unpaid_rent(
        rules=[rule.as_rule() for rule in selectors.unpaid_rules()],
        first_unpaid_month=facts["first_unpaid_month"],
        rent=facts["monthly_rent"],
        charges=facts["monthly_charges"],
        aid=facts["aid"],
        direct_payment=tenancy.direct_payment,
        owed=facts["amount_owed"],
        tenant_pays_part=facts["tenant_pays_part"],
        today=clock.today(),
    )


@login_required
def unpaid_new(request, portfolio_id: int, tenancy_id: int):
    """Report an unpaid rent: "Vérifier" says whether it is reportable under the rule in force,
    since when and until when; "Signaler l'impayé" sends it when it is."""
    portfolio = declaring_portfolio(request, portfolio_id)
    tenancy = selectors.tenancy_of_portfolio(portfolio, tenancy_id)
    existing = selectors.open_unpaid_report(tenancy)
    context = {"portfolio": portfolio, "tenancy": tenancy, "existing": existing}
    if request.method != "POST":
        context["form"] = UnpaidRentForm(
            initial={"token": uuid.uuid4()}, direct_payment=tenancy.direct_payment
        )
        return render(request, "obligations/unpaid_form.html", context)
    form = UnpaidRentForm(request.POST, direct_payment=tenancy.direct_payment)
    context["form"] = form
    context["assessment"] = assessment = _assessment(tenancy, form)
    if request.POST.get("action") != "envoyer" or assessment is None:
        return render(request, "obligations/unpaid_form.html", context)
    report = recorded(
        form,
        lambda: services.report_unpaid_rent(
            user=request.user,
            portfolio=portfolio,
            tenancy_id=tenancy.pk,
            token=form.cleaned_data["token"] or uuid.uuid4(),
            ip=client_ip(request),
            **form.facts(),
        ),
    )
    if report is None:
        return render(request, "obligations/unpaid_form.html", context)
    return redirect("obligations:unpaid_report", portfolio_id=portfolio.pk, unpaid_id=report.pk)


@login_required
def unpaid_check(request, portfolio_id: int, tenancy_id: int):
    """The live check as an HTML fragment, for the form's script (the form's "Vérifier" button
    gives the same answer without JavaScript). Reads only; GET."""
    portfolio = declaring_portfolio(request, portfolio_id)
    tenancy = selectors.tenancy_of_portfolio(portfolio, tenancy_id)
    form = UnpaidRentForm(request.GET, direct_payment=tenancy.direct_payment)
    return render(
        request,
        "obligations/_assessment.html",
        {"assessment": _assessment(tenancy, form), "form": form, "live": True},
    )


def _unpaid_context(request, portfolio_id, report_id):
    portfolio = portfolio_for_request(request, portfolio_id)
    report = selectors.unpaid_report_for_portfolio(portfolio, report_id)
    events, plans = selectors.report_history(report)
    return {"portfolio": portfolio, "report": report, "events": events, "plans": plans}


@login_required
def unpaid_report(request, portfolio_id: int, unpaid_id: int):
    """The acknowledgement and the life of a report: its state, the plan, the debt paid off."""
    context = _unpaid_context(request, portfolio_id, unpaid_id)
    context["plan_form"] = RepaymentPlanForm()
    context["paid_off_form"] = PaidOffForm()
    return render(request, "obligations/unpaid_report.html", context)


@login_required
def unpaid_report_pdf(request, portfolio_id: int, unpaid_id: int):
    context = _unpaid_context(request, portfolio_id, unpaid_id)
    return pdf_download(
        "obligations/unpaid_report_pdf.html",
        context,
        filename=f"accuse-impaye-{context['report'].pk}.pdf",
    )


@login_required
def unpaid_plan(request, portfolio_id: int, unpaid_id: int):
    """Send the signed repayment plan."""
    portfolio = declaring_portfolio(request, portfolio_id)
    report = selectors.unpaid_report_for_portfolio(portfolio, unpaid_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RepaymentPlanForm(request.POST, request.FILES)
    plan = recorded(
        form,
        lambda: services.send_repayment_plan(
            user=request.user,
            portfolio=portfolio,
            report_id=report.pk,
            upload=form.cleaned_data["file"],
            ip=client_ip(request),
        ),
    )
    if plan is not None:
        messages.success(request, "Plan d'apurement reçu. La Caf l'examine.")
        return redirect("obligations:unpaid_report", portfolio_id=portfolio.pk, unpaid_id=report.pk)
    context = _unpaid_context(request, portfolio_id, unpaid_id)
    context.update({"plan_form": form, "paid_off_form": PaidOffForm()})
    return render(request, "obligations/unpaid_report.html", context)


# The extension a plan is downloaded under, by the type read from its content when it was sent.
_PLAN_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@login_required
def unpaid_plan_file(request, portfolio_id: int, unpaid_id: int, plan_id: int):
    """A repayment plan as the landlord sent it, downloaded (never shown inline nor sniffed)."""
    portfolio = portfolio_for_request(request, portfolio_id)
    plan = selectors.repayment_plan_for_portfolio(portfolio, unpaid_id, plan_id)
    extension = _PLAN_EXTENSIONS.get(plan.content_type)
    if extension is None:
        raise Http404("Plan d'apurement introuvable")
    services.repayment_plan_downloaded(user=request.user, plan=plan, ip=client_ip(request))
    response = FileResponse(
        plan.file.open("rb"),
        content_type=plan.content_type,
        as_attachment=True,
        filename=f"plan-apurement-{unpaid_id}-{plan.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def unpaid_paid_off(request, portfolio_id: int, unpaid_id: int):
    """Declare the debt paid off."""
    portfolio = declaring_portfolio(request, portfolio_id)
    report = selectors.unpaid_report_for_portfolio(portfolio, unpaid_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PaidOffForm(request.POST)
    paid_off = recorded(
        form,
        lambda: services.declare_debt_paid_off(
            user=request.user,
            portfolio=portfolio,
            report_id=report.pk,
            paid_off_on=form.cleaned_data["paid_off_on"],
            ip=client_ip(request),
        ),
        field="paid_off_on",
    )
    if paid_off is not None:
        messages.success(request, "Dette déclarée soldée. La Caf clôturera le signalement.")
        return redirect("obligations:unpaid_report", portfolio_id=portfolio.pk, unpaid_id=report.pk)
    context = _unpaid_context(request, portfolio_id, unpaid_id)
    context.update({"plan_form": RepaymentPlanForm(), "paid_off_form": form})
    return render(request, "obligations/unpaid_report.html", context)
