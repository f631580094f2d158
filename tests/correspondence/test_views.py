"""Mes courriers (own messages only, secrets masked) and the development mailbox (DEBUG only)."""

import mailbox

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import EmailMessage

from portail.correspondence import services
from portail.correspondence.models import Message
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sent(user, title, channel=Message.Channel.EMAIL, **extra):
    message = services.queue_message(
        user=user,
        kind="notice",
        channel=channel,
        template=extra.pop("template", "notice"),
        context=extra.pop("context", {"title": title, "paragraphs": ["Bonjour."]}),
        **extra,
    )
    services.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    return message


def _sign_in(client, user):
    """Through the real sign-in form (its middleware expects a real sign-in)."""
    response = client.post(
        "/compte/connexion/", {"identifier": user.identifier, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_mes_courriers_lists_own_messages_newest_first_with_masked_secrets(
    client, smtp_server, django_assert_max_num_queries
):
    user = UserFactory(email="marie@example.org", user_number="0000000196")
    older = _sent(user, "Premier message")
    newer = _sent(
        user,
        "",
        template="lost_password",
        context={},
        carries_temporary_password=True,
    )
    other = _sent(UserFactory(email="jean@example.org"), "Message de Jean")
    _sign_in(client, user)
    with django_assert_max_num_queries(8) as queries:
        page = client.get("/courriers/").content.decode()
    # The list reads no message's bodies (kilobytes each): the message's page does.
    listed = [q["sql"] for q in queries.captured_queries if "correspondence_message" in q["sql"]]
    assert len(listed) == 1 and "body_html" not in listed[0] and "body_text" not in listed[0]
    assert page.index(newer.subject) < page.index(older.subject)
    assert "Message de Jean" not in page
    assert "0000 0001 96" in page
    assert "<title>Mes courriers – Espace bailleur – " in page
    detail = client.get(f"/courriers/{newer.pk}/").content.decode()
    assert "•••• •••• •••• ••••" in detail
    assert client.get(f"/courriers/{other.pk}/").status_code == 404


def test_mes_courriers_needs_sign_in(client):
    assert client.get("/courriers/").status_code == 302


def test_dev_mailbox_exists_only_in_debug_and_shows_mails_and_letters(client, settings, tmp_path):
    settings.DEV_MAILBOX_DIR = tmp_path / "mailbox"
    settings.DEBUG = False
    assert client.get("/dev/courriers/").status_code == 404
    settings.DEBUG = True
    box = mailbox.Maildir(settings.DEV_MAILBOX_DIR, create=True)
    email = EmailMultiAlternatives(
        "Votre nouveau mot de passe provisoire", "Mot de passe : ABCD EFGH", to=["m@example.org"]
    )
    email.attach_alternative("<p>Mot de passe : ABCD EFGH</p>", "text/html")
    key = box.add(email.message().as_bytes())
    box.add(EmailMessage("Sans HTML", "Texte", to=["m@example.org"]).message().as_bytes())
    settings.LETTER_SPOOL_DIR.mkdir(parents=True)
    (settings.LETTER_SPOOL_DIR / "courrier-000000007.pdf").write_bytes(b"%PDF-1.7")
    page = client.get("/dev/courriers/").content.decode()
    assert "Votre nouveau mot de passe provisoire" in page and "ABCD EFGH" in page
    assert "courrier-000000007.pdf" in page
    html = client.get(f"/dev/courriers/mail/{key}/")
    assert b"ABCD EFGH" in html.content
    assert "'unsafe-inline'" in html["Content-Security-Policy"]
    assert client.get("/dev/courriers/lettre/courrier-000000007.pdf").status_code == 200
    assert client.get("/dev/courriers/lettre/..%2Fsecret.pdf").status_code == 404


def test_a_letter_opens_as_a_pdf_with_the_password_masked(client, smtp_server):
    user = UserFactory(email="marie@example.org")
    letter = _sent(
        user,
        "",
        channel=Message.Channel.LETTER,
        template="credentials",
        context={},
        carries_temporary_password=True,
    )
    _sign_in(client, user)
    page = client.get(f"/courriers/{letter.pk}/").content.decode()
    assert "Voir le courrier au format PDF" in page
    response = client.get(f"/courriers/{letter.pk}/courrier.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    other = _sent(
        UserFactory(), "", channel=Message.Channel.LETTER, template="lost_identifier", context={}
    )
    assert client.get(f"/courriers/{other.pk}/courrier.pdf").status_code == 404
