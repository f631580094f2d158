"""The queue of July N-1 receipts an agent validates or refuses."""

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from portail.common.http import client_ip
from portail.rents import receipts as rent_receipts
from portail.rents import selectors as rent_selectors

from ..access import staff_required
from ..forms import (
    ReceiptRejectionForm,
    ReceiptValidationForm,
)


@staff_required("process_receipts")
def receipts(request):
    page = Paginator(rent_selectors.receipt_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/receipts.html", {"page": page})


@staff_required("process_receipts")
def receipt(request, receipt_id: int):
    receipt = rent_selectors.receipt_for_staff(receipt_id)
    decision = request.POST.get("decision") if request.method == "POST" else None
    validation = ReceiptValidationForm(
        data=request.POST if decision == "validate" else None,
        initial={"amount": f"{receipt.amount}".replace(".", ",")},
    )
    rejection = ReceiptRejectionForm(data=request.POST if decision == "reject" else None)
    ip = client_ip(request)
    if decision == "validate" and validation.is_valid():
        rent_receipts.validate_receipt(
            receipt=receipt, agent=request.user, amount=validation.cleaned_data["amount"], ip=ip
        )
        messages.success(request, "Quittance validée ; le bailleur est prévenu.")
        return redirect("backoffice:receipts")
    if decision == "reject" and rejection.is_valid():
        rent_receipts.reject_receipt(
            receipt=receipt,
            agent=request.user,
            reason=rent_receipts.rejection_reason(**rejection.cleaned_data),
            ip=ip,
        )
        messages.success(request, "Quittance refusée ; le bailleur est prévenu.")
        return redirect("backoffice:receipts")
    return render(
        request,
        "backoffice/receipt.html",
        {"receipt": receipt, "validation": validation, "rejection": rejection},
    )


@staff_required("process_receipts")
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF], "object-src": [SELF]})
def receipt_file(request, receipt_id: int):
    """The scan, shown inside the receipt page only: checked type, never sniffed."""
    receipt = rent_selectors.receipt_for_staff(receipt_id)
    if receipt.content_type not in ("application/pdf", "image/jpeg", "image/png"):
        raise Http404
    response = FileResponse(receipt.file.open("rb"), content_type=receipt.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
