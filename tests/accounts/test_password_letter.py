"""Mot de passe perdu by post: a landlord without e-mail gets a new temporary password."""

import html
import re

import pytest

from portail.accounts import dispatch, rules
from portail.audit.models import Event
from tests.factories import UserFactory

from .conftest import captcha_answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_at_once")]
LETTER_PATH = "/compte/mot-de-passe-perdu/courrier/"
SENT = "/compte/mot-de-passe-perdu/courrier/envoye/"


def ask(client, user_number: str):
    form = client.get(LETTER_PATH).content.decode()
    return client.post(LETTER_PATH, {"user_number": user_number, **captcha_answer(form)})


def signed_in_before(**fields):
    from portail.common import clock

    return UserFactory(last_login=clock.now(), **fields)


def test_without_email_a_letter_with_a_new_temporary_password(client, outbox):
    user = signed_in_before(email="")
    response = ask(client, rules.display_user_number(user.user_number))
    assert response.url == SENT
    [message] = outbox()
    assert (message.channel, message.kind, message.recipient) == (
        "letter",
        dispatch.LOST_PASSWORD_LETTER,
        user,
    )
    assert message.carries_temporary_password
    assert message.temporary_password_validity is None  # a letter's: 2 months
    event = Event.objects.get(action="recovery.password_letter")
    assert (event.actor, event.target, event.details) == (
        user,
        user.user_number,
        {"channel": "letter"},
    )


def test_with_a_confirmed_email_the_password_goes_by_email(client, outbox):
    user = signed_in_before(email="marie@example.fr", email_confirmed=True)
    ask(client, user.user_number)
    [message] = outbox()
    assert (message.channel, message.kind) == ("email", dispatch.LOST_PASSWORD)


def test_a_first_letter_never_used_is_sent_again_whole(client, outbox):
    user = UserFactory(email="", first_credentials_channel="letter", last_login=None)
    ask(client, user.user_number)
    [message] = outbox()
    assert (message.channel, message.kind) == ("letter", dispatch.NEW_ACCESS_LETTER)
    assert message.context["replaces_earlier"]


def test_the_answer_is_the_same_for_an_unknown_number(client, outbox):
    user = signed_in_before(email="")
    answers = []
    for number in (user.user_number, rules.format_user_number(99_999_999)):
        response = ask(client, number)
        answers.append((response.status_code, response.url, client.get(response.url).content))
    assert answers[0] == answers[1]
    assert len(outbox()) == 1
    unknown = Event.objects.get(target=rules.format_user_number(99_999_999))
    assert (unknown.action, unknown.actor, unknown.details) == (
        "recovery.password_letter",
        None,
        {},
    )


def test_one_letter_a_day_per_account_and_ten_requests_an_hour_per_address(client, outbox):
    user = signed_in_before(email="")
    for _ in range(3):
        assert ask(client, user.user_number).url == SENT
    assert len(outbox()) == 1  # the others answer alike and send nothing
    for n in range(7):
        ask(client, rules.format_user_number(80_000_000 + n))
    response = ask(client, rules.format_user_number(80_000_100))
    assert response.status_code == 200
    assert "attendez une heure" in html.unescape(response.content.decode())


def test_an_empty_form_names_its_fields(client):
    page = html.unescape(client.post(LETTER_PATH, {}).content.decode())
    assert "Saisissez votre numéro utilisateur" in page
    assert "Recopiez le code de vérification" in page
    assert "Ce champ est obligatoire" not in page
    assert re.search(r'aria-describedby="id_captcha_helptext id_captcha_error"', page)
