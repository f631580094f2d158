"""The outbox seen by staff: failed e-mails sent again, the day's letters gathered."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portail.common.http import client_ip
from portail.correspondence import agent_actions as outbox_actions
from portail.correspondence import letters as outbox_letters
from portail.correspondence import selectors as outbox_selectors
from portail.correspondence.models import Message

from ..access import staff_required


@staff_required("watch_correspondence")
def correspondence(request):
    page = Paginator(outbox_selectors.failed_emails(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/correspondence.html",
        {
            "page": page,
            "letters_waiting": outbox_selectors.letters_waiting(),
            "batches": outbox_letters.letter_batches()[:10],
            "may_print": request.user.has_perm("backoffice.print_letters"),
        },
    )


@require_POST
@staff_required("watch_correspondence")
def retry(request, message_id: int):
    message = get_object_or_404(Message, pk=message_id, channel=Message.Channel.EMAIL)
    if outbox_actions.retry_message(message=message, agent=request.user, ip=client_ip(request)):
        messages.success(request, "Le mail est remis en file d'envoi.")
    else:
        messages.info(request, "Ce mail n'est plus en échec.")
    return redirect("backoffice:correspondence")


@require_POST
@staff_required("print_letters")
def print_letters(request):
    batch = outbox_actions.print_letters(agent=request.user, ip=client_ip(request))
    if batch.path is None:
        messages.info(request, "Aucun courrier à imprimer.")
    else:
        messages.success(
            request, f"Lot prêt : {batch.count} courrier(s), marqués postés. Téléchargez-le."
        )
    return redirect("backoffice:correspondence")


@staff_required("print_letters")
def letter_batch(request, name: str):
    path = outbox_letters.letter_batch(name)
    outbox_actions.record_batch_download(name=name, agent=request.user, ip=client_ip(request))
    response = FileResponse(path.open("rb"), content_type="application/pdf", as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response
