"""Mes courriers (the landlord's history) and the development mailbox (DEBUG only)."""

import re

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import devmailbox, letters, selectors
from .models import Message


@login_required
@require_GET
def history(request):
    messages = selectors.correspondence_list_of_user(request.user)
    return render(request, "correspondence/history.html", {"sent_messages": messages})


def _own_message(request, message_id: int) -> Message:
    try:
        return selectors.message_of_user(request.user, message_id)
    except Message.DoesNotExist as missing:
        raise Http404("Ce courrier n'existe pas.") from missing


@login_required
@require_GET
def message_detail(request, message_id: int):
    message = _own_message(request, message_id)
    return render(request, "correspondence/message.html", {"sent_message": message})


@login_required
@require_GET
def letter_pdf(request, message_id: int):
    message = _own_message(request, message_id)
    if not message.is_letter:
        raise Http404("Ce message n'est pas un courrier.")
    response = HttpResponse(letters.masked_letter_pdf(message=message), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="courrier-{message.pk}.pdf"'
    return response


def _debug_only() -> None:
    """The development mailbox exists only in development (decided at each request)."""
    if not settings.DEBUG:
        raise Http404("Page réservée au mode développement.")


@require_GET
def dev_mailbox(request):
    _debug_only()
    return render(
        request,
        "correspondence/dev_mailbox.html",
        {"emails": devmailbox.received_emails(), "letters": devmailbox.spooled_letters()},
    )


@require_GET
@csp_update({"style-src": [UNSAFE_INLINE]})  # the e-mail's own <style>, as a mail client shows it
def dev_email_html(request, key: str):
    _debug_only()
    try:
        email = devmailbox.received_email(key)
    except KeyError as missing:
        raise Http404("Ce mail n'est pas dans la boîte de développement.") from missing
    return HttpResponse(email.html or "<p>Pas de version HTML.</p>")


@require_GET
def dev_letter(request, name: str):
    _debug_only()
    if not re.fullmatch(r"courrier-\d+\.pdf", name):
        raise Http404("Ce courrier n'est pas dans la file d'impression.")
    path = settings.LETTER_SPOOL_DIR / name
    if not path.is_file():
        raise Http404("Ce courrier n'est pas dans la file d'impression.")
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=name)
