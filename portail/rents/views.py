"""Declaring July rents: one tenancy on screen, a receipt when N-1 is missing, or a file."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from portail.common import clock
from portail.common.exports import csv_download
from portail.correspondence.rules import contact_channel
from portail.help.difficulties import Difficulty
from portail.portfolios.selectors import portfolio_for_request

from . import acknowledgements, declarations, receipts, rules, selectors
from . import bulk as bulk_files
from .declarations import DeclarationRefused
from .forms import BulkImportForm, BulkRecordForm, DeclarationForm, ReceiptForm
from .models import BulkImport, RentSubmission
from .tenant_list import tenancy_for_portfolio


def _campaign(year):
    campaign = selectors.campaign_of_year(year)
    campaign.is_open = campaign.is_open_on(clock.today())
    return campaign


def _declaring_portfolio(request, portfolio_id):
    portfolio = portfolio_for_request(request, portfolio_id)
    if not portfolio.may_declare:
        raise PermissionDenied("Vous pouvez consulter ce parc mais pas y déclarer de loyer.")
    return portfolio


@login_required
def declare(request, portfolio_id: int, tenancy_id: int):
    """Enter the July N rent, check the summary, send; or learn why it cannot be entered yet."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    year = rules.campaign_year(clock.today())
    tenancy = tenancy_for_portfolio(portfolio, tenancy_id, year=year)
    campaign = _campaign(year)
    context = {
        "portfolio": portfolio,
        "tenancy": tenancy,
        "year": year,
        "previous_year": year - 1,
        "campaign": campaign,
        "help_entry": Difficulty.AMOUNT_NOT_ACCEPTED,
    }
    if tenancy.status == rules.Status.RECEIPT:
        context["receipts"] = selectors.receipts_of_tenancy(tenancy)
        context["receipt_form"] = ReceiptForm(year=year - 1)
        return render(request, "rents/receipt_needed.html", context)
    if tenancy.status == rules.Status.NOT_REQUIRED or not campaign.is_open:
        return _render_with_history(request, "rents/not_offered.html", context)
    if request.method != "POST":
        history = context["history"] = selectors.declaration_history(tenancy, year=year)
        context["form"] = _first_declaration_form(tenancy, year=year, history=history)
        return render(request, "rents/declare.html", context)
    return _declaration_step(request, context)


def _render_with_history(request, template: str, context: dict):
    """The pages that show the declaration's history (the entry, and the tenancy that is not
    offered); the summary and the sending do not read it (two queries)."""
    tenancy, year = context["tenancy"], context["year"]
    context["history"] = selectors.declaration_history(tenancy, year=year)
    return render(request, template, context)


def _first_declaration_form(tenancy, *, year: int, history: list) -> DeclarationForm:
    """The form as first shown: a fresh token, the version it is based on, the current amount.
    The version is the history's last (selectors.latest_declaration's, read once: the
    current declared rent if any, else the last superseded version)."""
    initial = {"token": uuid.uuid4(), "version": history[-1].version if history else 0}
    if tenancy.rent_current is not None:
        initial["amount"] = str(tenancy.rent_current).replace(".", ",")
    return DeclarationForm(initial=initial, year=year)


def _declaration_step(request, context):
    """A posted form: back to the entry ("modifier") or on errors, to the summary, or sent
    ("envoyer") once any unusual amount is confirmed."""
    tenancy, year = context["tenancy"], context["year"]
    form = context["form"] = DeclarationForm(request.POST, year=year)
    action = request.POST.get("action")
    if action == "modifier" or not form.is_valid():
        if action == "modifier":
            form.errors.clear()
        return _render_with_history(request, "rents/declare.html", context)
    amount = context["amount"] = form.cleaned_data["amount"]
    context["warnings"] = declarations.amount_warnings_for(tenancy, amount=amount, year=year)
    if action != "envoyer":
        return render(request, "rents/summary.html", context)
    if context["warnings"] and not form.cleaned_data["confirmed"]:
        form.add_error(
            "confirmed",
            "Cochez la case pour confirmer ce montant, ou modifiez-le s'il est erroné.",
        )
        return render(request, "rents/summary.html", context)
    try:
        submission = declarations.declare_rent(
            user=request.user,
            portfolio=context["portfolio"],
            tenancy_id=tenancy.pk,
            year=year,
            amount=amount,
            token=form.cleaned_data["token"],
            expected_version=form.cleaned_data["version"],
            confirmed=form.cleaned_data["confirmed"],
        )
    except DeclarationRefused as refusal:
        form.add_error(None, refusal.message)
        return _render_with_history(request, "rents/declare.html", context)
    return redirect(
        "rents:acknowledgement",
        portfolio_id=context["portfolio"].pk,
        submission_id=submission.pk,
    )


@login_required
def receipt(request, portfolio_id: int, tenancy_id: int):
    """Send the July N-1 receipt online (difficulty 9)."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    year = rules.campaign_year(clock.today())
    tenancy = tenancy_for_portfolio(portfolio, tenancy_id, year=year)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReceiptForm(request.POST, request.FILES, year=year - 1)
    if form.is_valid():
        try:
            receipts.submit_receipt(
                user=request.user,
                portfolio=portfolio,
                tenancy=tenancy,
                amount=form.cleaned_data["amount"],
                upload=form.cleaned_data["file"],
            )
        except DeclarationRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"Quittance de juillet {year - 1} de {tenancy.tenant_name} reçue. La Caf la "
                f"vérifie ; vous recevrez {_told_by(request.user)} dès que vous pourrez "
                f"déclarer le loyer de juillet {year}.",
            )
            return redirect("rents:tenants", portfolio_id=portfolio.pk)
    context = {
        "portfolio": portfolio,
        "tenancy": tenancy,
        "year": year,
        "previous_year": year - 1,
        "campaign": _campaign(year),
        "receipts": selectors.receipts_of_tenancy(tenancy),
        "receipt_form": form,
        "form": form,
        "help_entry": Difficulty.JULY_RENT_BLOCKED,
    }
    return render(request, "rents/receipt_needed.html", context)


@login_required
def history(request, portfolio_id: int):
    """The acknowledgements of a portfolio, newest first."""
    portfolio = portfolio_for_request(request, portfolio_id)
    submissions = (
        RentSubmission.objects.filter(portfolio=portfolio)
        .select_related("submitted_by")
        .order_by("-submitted_at")[:200]
    )
    return render(
        request, "rents/history.html", {"portfolio": portfolio, "submissions": submissions}
    )


ACKNOWLEDGEMENT_LINES_SHOWN = 1000


def _acknowledgement_context(request, portfolio_id, submission_id):
    portfolio = portfolio_for_request(request, portfolio_id)
    submission = selectors.submission_for_portfolio(portfolio, submission_id)
    lines = selectors.declarations_of_submission(submission)
    # One line more than shown says whether there are more: then only are they counted.
    shown = list(lines[: ACKNOWLEDGEMENT_LINES_SHOWN + 1])
    more = len(shown) > ACKNOWLEDGEMENT_LINES_SHOWN
    return {
        "portfolio": portfolio,
        "submission": submission,
        "declarations": shown[:ACKNOWLEDGEMENT_LINES_SHOWN],
        "count": lines.count() if more else len(shown),
    }


@login_required
def acknowledgement(request, portfolio_id: int, submission_id: int):
    context = _acknowledgement_context(request, portfolio_id, submission_id)
    return render(request, "rents/acknowledgement.html", context)


@login_required
def acknowledgement_pdf(request, portfolio_id: int, submission_id: int):
    """The acknowledgement as a PDF: what was declared, for whom, when and by whom."""
    portfolio = portfolio_for_request(request, portfolio_id)
    submission = selectors.submission_for_portfolio(portfolio, submission_id)
    response = HttpResponse(
        acknowledgements.acknowledgement_pdf(submission), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="accuse-reception-{submission.pk}.pdf"'
    return response


@login_required
def bulk_new(request, portfolio_id: int):
    """Deposit a file of rents; small files are checked at once, large ones in the background."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    year = rules.campaign_year(clock.today())
    form = BulkImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulk = bulk_files.deposit_and_check_bulk_import(
                user=request.user, portfolio=portfolio, upload=form.cleaned_data["file"]
            )
        except DeclarationRefused as refusal:
            form.add_error(refusal.field, refusal.message)  # a file's limits: on its field
        else:
            return redirect("rents:bulk_detail", portfolio_id=portfolio.pk, import_id=bulk.pk)
    return render(
        request,
        "rents/bulk_new.html",
        {
            "portfolio": portfolio,
            "form": form,
            "year": year,
            "campaign": _campaign(year),
            "files": selectors.recent_bulk_imports(portfolio),
        },
    )


@login_required
def bulk_detail(request, portfolio_id: int, import_id: int):
    """Progress, then the errors with their line numbers and the choice to record."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    bulk = selectors.bulk_import_for_portfolio(portfolio, import_id)
    running = bulk.status in (BulkImport.Status.CHECKING, BulkImport.Status.RECORDING)
    return render(
        request,
        "rents/bulk_detail.html",
        {
            "portfolio": portfolio,
            "bulk": bulk,
            "running": running,
            "errors_shown": bulk.errors[:200],
            "warnings": bulk.warnings[:200],
            "form": BulkRecordForm(),
            "help_entry": Difficulty.AMOUNT_NOT_ACCEPTED,
        },
    )


@login_required
def bulk_errors(request, portfolio_id: int, import_id: int):
    """The errors of a file, one line each, to correct it in a spreadsheet."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    bulk = selectors.bulk_import_for_portfolio(portfolio, import_id)
    rows = [["ligne", "numero_allocataire", "erreur"], *bulk.errors]
    if bulk.total_errors > len(bulk.errors):
        rows.append(["", "", f"… et {bulk.total_errors - len(bulk.errors)} autres erreurs."])
    return csv_download(
        rows, filename=f"erreurs-{bulk.pk}.csv", delimiter=";", byte_order_mark=True
    )


@login_required
def bulk_record(request, portfolio_id: int, import_id: int):
    """Record a checked file (or only its valid lines, when the landlord chose so)."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    bulk = selectors.bulk_import_for_portfolio(portfolio, import_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BulkRecordForm(request.POST)
    form.is_valid()
    valid_only = form.cleaned_data.get("valid_only", False)
    confirmed = form.cleaned_data.get("confirmed", False)
    if bulk.status == BulkImport.Status.RECORDED:
        return redirect("rents:bulk_detail", portfolio_id=portfolio.pk, import_id=bulk.pk)
    if bulk.warning_count and not confirmed:
        form.add_error("confirmed", "Cochez la case pour confirmer les montants signalés.")
    if not form.errors:
        try:
            bulk = bulk_files.record_or_queue_bulk_import(
                bulk=bulk, user=request.user, valid_only=valid_only, confirmed=confirmed
            )
        except DeclarationRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if bulk.status == BulkImport.Status.RECORDING:  # left to the worker
                return redirect("rents:bulk_detail", portfolio_id=portfolio.pk, import_id=bulk.pk)
            return redirect(
                "rents:acknowledgement",
                portfolio_id=portfolio.pk,
                submission_id=bulk.submission_id,
            )
    return render(
        request,
        "rents/bulk_detail.html",
        {
            "portfolio": portfolio,
            "bulk": bulk,
            "running": False,
            "errors_shown": bulk.errors[:200],
            "warnings": bulk.warnings[:200],
            "form": form,
            "help_entry": Difficulty.AMOUNT_NOT_ACCEPTED,
        },
    )


def _told_by(user) -> str:
    """How the landlord will hear of the receipt: the outbox's one channel rule."""
    return "un mail" if contact_channel(email=user.contact_email) == "email" else "un courrier"
