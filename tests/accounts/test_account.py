"""Signed-in account: e-mail confirmed by code, re-authentication, no-store, session ends."""

import datetime
import html
import re

import pytest
import time_machine
from django.utils import timezone

from portail.accounts.models import User
from portail.audit.models import Event
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user, password=PASSWORD):
    response = client.post(
        "/compte/connexion/", {"identifier": user.identifier, "password": password}
    )
    assert response.status_code == 302
    return response


def test_signed_in_pages_are_never_stored(client):
    user = UserFactory()
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    sign_in(client, user)
    assert "no-store" in client.get("/parcs/")["Cache-Control"]


def emailed_code(smtp_server) -> str:
    """Deliver the outbox and read the code in the last e-mail, as the person would."""
    from portail.correspondence.services import deliver_due_messages

    deliver_due_messages()
    text = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    return re.search(r"\b\d{6}\b", text).group()


def test_new_email_is_used_only_once_confirmed_and_old_one_kept_meanwhile(
    client, outbox, smtp_server
):
    user = UserFactory(email="ancienne@example.fr", email_confirmed=True)
    sign_in(client, user)
    client.post("/compte/mail/", {"email": "nouvelle@example.fr"})
    [message] = outbox()
    assert message.email == "nouvelle@example.fr"
    assert message.carries_confirmation_code and "code" not in message.context
    code = emailed_code(smtp_server)
    assert smtp_server.messages[-1]["To"] == "nouvelle@example.fr"
    message.refresh_from_db()
    assert code not in message.body_text and "••••••" in message.body_text
    user.refresh_from_db()
    assert (user.email, user.email_confirmed) == ("ancienne@example.fr", True)
    body = html.unescape(client.post("/compte/mail/code/", {"code": "000000"}).content.decode())
    if "ne correspond pas" not in body:  # the one chance in a million
        return
    client.post("/compte/mail/code/", {"code": code})
    user.refresh_from_db()
    assert (user.email, user.email_confirmed) == ("nouvelle@example.fr", True)
    assert Event.objects.filter(action="email.change", actor=user).exists()


def test_email_code_expires_after_30_minutes(client, smtp_server):
    user = UserFactory()
    sign_in(client, user)
    client.post("/compte/mail/", {"email": "jean@example.fr"})
    code = emailed_code(smtp_server)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30, seconds=1)):
        sign_in(client, user)
        body = html.unescape(client.post("/compte/mail/code/", {"code": code}).content.decode())
    assert "n'est plus valable" in body
    assert not User.objects.get(pk=user.pk).email_confirmed


def test_changing_the_email_long_after_signing_in_asks_the_password(client, outbox):
    user = UserFactory()
    sign_in(client, user)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = client.post("/compte/mail/", {"email": "jean@example.fr"})
        assert "Votre mot de passe" in html.unescape(response.content.decode())
        assert outbox() == []
        response = client.post(
            "/compte/mail/", {"email": "jean@example.fr", "current_password": PASSWORD}
        )
    assert response.url == "/compte/mail/code/"
    assert len(outbox()) == 1


def test_a_64_character_password_is_accepted(client):
    user = UserFactory()
    sign_in(client, user)
    long_password = "Une-phrase-de-passe-vraiment-longue-" + "x" * 28
    assert len(long_password) == 64
    response = client.post(
        "/compte/mot-de-passe/",
        {
            "current_password": PASSWORD,
            "new_password1": long_password,
            "new_password2": long_password,
        },
    )
    assert response.status_code == 302
    client.logout()
    sign_in(client, user, long_password)


def test_a_deactivated_user_is_signed_out_at_once(client):
    user = UserFactory()
    sign_in(client, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/parcs/").status_code == 302
