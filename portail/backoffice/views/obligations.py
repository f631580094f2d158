"""Staff screens of the landlords' other duties: the queue of unpaid-rent reports (oldest
first, filters), a report's page where an agent moves it with a reason (the landlord is told),
and the queue of reported changes an agent marks handled."""

from urllib.parse import urlencode

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from portail.common.http import client_ip
from portail.obligations import selectors, services
from portail.obligations.forms import StaffStatusForm
from portail.obligations.models import ChangeReport, UnpaidRentReport

from ..access import staff_required

PAGE_SIZE = 50
PERMISSION = "handle_obligations"


def _query_text(request, name: str, *, max_length: int = 100) -> str:
    """A filter typed in the address: bounded, without the NUL character a database text
    cannot hold (PostgreSQL refuses it); anything else is only compared, never stored."""
    return request.GET.get(name, "").replace("\x00", "")[:max_length]


def _filters(request, names) -> str:
    """The queue's filters as a query string prefix for its page links ("" or "a=1&b=2&")."""
    kept = {name: request.GET[name] for name in names if request.GET.get(name)}
    return f"{urlencode(kept)}&" if kept else ""


@staff_required(PERMISSION)
def unpaid_queue(request):
    """Reports to handle, oldest first; by state, late ones only, or a recipient number or a
    landlord's name. 50 a page."""
    status = _query_text(request, "etat")
    late = request.GET.get("retard") == "1"
    search = _query_text(request, "q")
    queue = selectors.unpaid_report_queue(status=status, late=late, search=search)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/unpaid_queue.html",
        {
            "page": page,
            "status": status,
            "late": late,
            "search": search,
            "statuses": UnpaidRentReport.Status.choices,
            "filters": _filters(request, ("etat", "retard", "q")),
        },
    )


@staff_required(PERMISSION)
def unpaid_detail(request, report_id: int):
    """A report, its steps and plans; the agent moves it to another state with a reason."""
    report = selectors.unpaid_report_for_staff(report_id)
    form = StaffStatusForm(request.POST or None, initial={"status": report.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_unpaid_report_status(
                report_id=report.pk,
                agent=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except services.ReportRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "État enregistré ; le bailleur est prévenu.")
            return redirect("backoffice:unpaid_detail", report_id=report.pk)
    events, plans = selectors.report_history(report)
    return render(
        request,
        "backoffice/unpaid_detail.html",
        {"report": report, "events": events, "plans": plans, "form": form},
    )


@staff_required(PERMISSION)
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF], "object-src": [SELF]})
def plan_file(request, report_id: int, plan_id: int):
    """A repayment plan as sent: checked type, never sniffed."""
    report = selectors.unpaid_report_for_staff(report_id)
    plan = report.plans.filter(pk=plan_id).first()
    if plan is None or plan.content_type not in ("application/pdf", "image/jpeg", "image/png"):
        raise Http404
    response = FileResponse(plan.file.open("rb"), content_type=plan.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required(PERMISSION)
def change_queue(request):
    """Reported changes, oldest first; pending ones by default, by kind or state."""
    status = _query_text(request, "etat")
    kind = _query_text(request, "type")
    search = _query_text(request, "q")
    queue = selectors.change_report_queue(status=status, kind=kind, search=search)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/change_queue.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "search": search,
            "statuses": ChangeReport.Status.choices,
            "kinds": ChangeReport.Kind.choices,
            "filters": _filters(request, ("etat", "type", "q")),
        },
    )


@staff_required(PERMISSION)
def change_detail(request, report_id: int):
    """A reported change and its versions; the agent marks it handled (no more corrections)."""
    report = selectors.change_report_for_staff(report_id)
    if request.method == "POST":
        try:
            services.handle_change(report_id=report.pk, agent=request.user, ip=client_ip(request))
        except services.ReportRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "Changement traité ; le bailleur est prévenu.")
        return redirect("backoffice:change_detail", report_id=report.pk)
    return render(
        request,
        "backoffice/change_detail.html",
        {"report": report, "versions": selectors.change_versions(report)},
    )
