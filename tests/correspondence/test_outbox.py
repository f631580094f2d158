"""The outbox: written with its event, delivered over real SMTP, retried, never a clear secret."""

import datetime
import re

import pytest
import time_machine
from django.db import transaction

from portail.accounts.models import TemporaryPassword
from portail.accounts.verification import verify_sign_in_password
from portail.correspondence import rules, services
from portail.correspondence.models import Message
from portail.correspondence.rules import MASKED_PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)


def _notice(user, channel=Message.Channel.EMAIL):
    return services.queue_message(
        user=user,
        kind="notice",
        channel=channel,
        template="notice",
        context={"title": "Votre déclaration est enregistrée", "paragraphs": ["Merci."]},
    )


def test_a_rollback_leaves_no_message():
    user = UserFactory(email="marie@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        _notice(user)
        raise RuntimeError("the event failed")
    assert Message.objects.count() == 0
    _notice(user)
    assert Message.objects.count() == 1


def test_a_secret_is_never_stored_in_the_outbox():
    user = UserFactory(email="marie@example.org")
    with pytest.raises(services.SecretInContextError):
        services.queue_message(
            user=user,
            kind="x",
            channel=Message.Channel.EMAIL,
            template="notice",
            context={"title": "x", "mot_de_passe": "ABCD"},
        )
    assert not rules.context_holds_no_secret({"nested": [{"password": "x"}]})


@time_machine.travel(NOW, tick=False)
def test_email_is_french_html_and_text_with_agency_and_user_number(smtp_server, settings):
    settings.AGENCY_NAME = "Caf du Vaucluse"
    settings.SITE_URL = "https://bailleurs.caf.example"
    user = UserFactory(email="marie@example.org", user_number="0000000196")
    message = services.queue_message(
        user=user,
        kind="notice",
        channel=Message.Channel.EMAIL,
        template="notice",
        context={
            "title": "Votre loyer est enregistré",
            "paragraphs": ["Montant : 650,50 €"],
            "link_path": "/parcs/",
        },
    )
    assert services.deliver_message(message_id=message.pk) == "sent"
    [received] = smtp_server.messages
    assert received["To"] == "marie@example.org"
    assert received["From"].addresses[0].display_name == "Caf du Vaucluse – Espace bailleur"
    assert received["Subject"] == "Votre loyer est enregistré"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "Caf du Vaucluse" in body
        assert "0000 0001 96" in body
        assert "Le 27/11/2026" in body
        assert "https://bailleurs.caf.example/parcs/" in body
    assert '<html lang="fr">' in html
    assert "<img" not in html
    assert not re.search(r'href="/', html)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at == NOW


def test_temporary_password_is_made_at_delivery_and_only_in_the_email(smtp_server):
    user = UserFactory(email="marie@example.org")
    message = services.queue_message(
        user=user,
        kind="lost_password",
        channel=Message.Channel.EMAIL,
        template="lost_password",
        context={},
        carries_temporary_password=True,
        temporary_password_valid_for=datetime.timedelta(hours=24),
    )
    assert not TemporaryPassword.objects.filter(user=user).exists()
    services.deliver_message(message_id=message.pk)
    text = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    password = re.search(r"Mot de passe provisoire : ((?:[A-Z2-9]{4} ?){4})", text).group(1)
    assert verify_sign_in_password(user=user, password=password).temporary is not None
    assert user.identifier in text
    message.refresh_from_db()
    assert password not in message.body_text + message.body_html + str(message.context)
    assert MASKED_PASSWORD in message.body_text
    issued = TemporaryPassword.objects.get(user=user)
    assert issued.expires_at - issued.issued_at == datetime.timedelta(hours=24)


def test_a_failed_send_rolls_the_password_back_and_retries_later(smtp_server):
    user = UserFactory(email="marie@example.org")
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False):
        message = services.queue_message(
            user=user,
            kind="lost_password",
            channel=Message.Channel.EMAIL,
            template="lost_password",
            context={},
            carries_temporary_password=True,
        )
        assert services.deliver_message(message_id=message.pk) == "queued"
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.next_attempt_at == NOW + datetime.timedelta(minutes=1)
    assert "ConnectionRefused" in message.last_error
    assert not TemporaryPassword.objects.filter(user=user).exists()


def test_retries_grow_for_24_hours_then_the_message_is_failed(smtp_server):
    user = UserFactory(email="marie@example.org")
    smtp_server.stop()
    with time_machine.travel(NOW, tick=False):
        message = _notice(user)
    delays = []
    moment = NOW
    while True:
        with time_machine.travel(moment, tick=False):
            services.deliver_due_messages()
        message.refresh_from_db()
        if message.status != Message.Status.QUEUED:
            break
        delays.append(message.next_attempt_at - moment)
        moment = message.next_attempt_at
    assert message.status == Message.Status.FAILED
    assert moment - NOW >= datetime.timedelta(hours=24)
    assert delays == sorted(delays)
    assert delays[0] == datetime.timedelta(minutes=1)
    assert message.attempts == len(delays) + 1


def test_an_email_without_address_fails_at_once(smtp_server):
    user = UserFactory(email="", landlord__email="")
    message = _notice(user)
    services.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert smtp_server.messages == []


def test_a_message_recorded_as_sent_is_never_sent_again(smtp_server):
    message = _notice(UserFactory(email="marie@example.org"))
    services.deliver_message(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=NOW)
    assert services.deliver_message(message_id=message.pk) == "not_due"
    assert services.deliver_due_messages() == {"sent": 0, "queued": 0, "failed": 0}
    assert len(smtp_server.messages) == 1
