"""Watching correspondence: failed e-mails retried, the day's letters gathered and downloaded."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from portail.audit.models import Event
from portail.common import clock
from portail.correspondence.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def failed_email(user):
    return Message.objects.create(
        kind="notice",
        channel="email",
        recipient=user,
        template="notice",
        subject="Votre espace bailleur",
        status=Message.Status.FAILED,
        attempts=9,
        email="bailleur@example.fr",
        last_error="SMTPRecipientsRefused: 550 boîte inconnue",
    )


def spooled_letter(user) -> Message:
    message = Message.objects.create(
        kind="notice",
        channel="letter",
        recipient=user,
        template="notice",
        subject="Courrier",
        status=Message.Status.SENT,
        sent_at=clock.now(),
        address=["M. Test", "1 rue A", "13001 Marseille"],
    )
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    spool = Path(settings.LETTER_SPOOL_DIR)
    spool.mkdir(parents=True, exist_ok=True)
    (spool / message.spool_name).write_bytes(buffer.getvalue())
    return message


def test_failed_emails_are_listed_with_their_error_and_retried(agent_client):
    message = failed_email(UserFactory())
    page = agent_client.get(reverse("backoffice:correspondence")).content.decode()
    assert "550 boîte inconnue" in page and "9 essais" in page
    response = agent_client.post(reverse("backoffice:retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert Event.objects.filter(action="staff.message_retried").exists()
    # Retrying twice does nothing more.
    agent_client.post(reverse("backoffice:retry", args=[message.pk]))
    assert Event.objects.filter(action="staff.message_retried").count() == 1


def test_the_days_letters_are_gathered_marked_posted_and_downloaded(supervisor_client):
    user = UserFactory()
    letters = [spooled_letter(user), spooled_letter(user)]
    page = supervisor_client.get(reverse("backoffice:correspondence")).content.decode()
    assert "2 courriers en attente d'impression" in page
    supervisor_client.post(reverse("backoffice:print_letters"))
    for letter in letters:
        letter.refresh_from_db()
        assert letter.status == Message.Status.POSTED and letter.posted_at
    page = supervisor_client.get(reverse("backoffice:correspondence")).content.decode()
    assert "0 courrier en attente" in page
    name = next(Path(settings.LETTER_SPOOL_DIR, "lots").glob("lot-*.pdf")).name
    response = supervisor_client.get(reverse("backoffice:letter_batch", args=[name]))
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages) == 2
    unknown = reverse("backoffice:letter_batch", args=["lot-inconnu.pdf"])
    assert supervisor_client.get(unknown).status_code == 404
    assert Event.objects.filter(action="staff.letters_batch").get().details["count"] == 2
