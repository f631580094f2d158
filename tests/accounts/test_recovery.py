"""Identifiant perdu and Mot de passe perdu: what is sent, and nothing that tells who exists."""

import datetime
import html

import pytest
import time_machine

from portail.accounts import rules, services
from portail.audit.models import Event
from tests.factories import LandlordFactory, LegalLandlordFactory, UserFactory

from .conftest import captcha_answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_at_once")]
LOST_IDENTIFIER = "/compte/identifiant-perdu/"
LOST_PASSWORD = "/compte/mot-de-passe-perdu/"
PARIS = datetime.timezone(datetime.timedelta(hours=1))


def ask(client, path, **fields):
    form = client.get(path).content.decode()
    return client.post(path, {**fields, **captcha_answer(form)})


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_identifier_is_sent_again_by_email_when_the_email_is_confirmed(client, outbox):
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    response = ask(client, LOST_IDENTIFIER, user_number=rules.display_user_number(user.user_number))
    assert response.url == "/compte/identifiant-perdu/envoye/"
    [message] = outbox()
    assert (message.channel, message.template, message.recipient) == (
        "email",
        "lost_identifier",
        user,
    )
    assert not message.carries_temporary_password
    assert Event.objects.filter(action="recovery.identifier", actor=user).exists()


def test_identifier_goes_by_letter_when_there_is_no_email(client, outbox):
    user = UserFactory(last_login=datetime.datetime(2026, 1, 5, tzinfo=PARIS))
    ask(client, LOST_IDENTIFIER, user_number=user.user_number)
    [message] = outbox()
    assert (message.channel, message.carries_temporary_password) == ("letter", False)


def test_never_used_letter_is_sent_again_with_a_new_password_after_confirmation(client, outbox):
    landlord = LandlordFactory(email="")
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=PARIS)):
        user = services.grant_first_access(landlord=landlord)
    assert outbox()[0].carries_temporary_password
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=PARIS)):
        response = ask(client, LOST_IDENTIFIER, user_number=user.user_number)
        page = text(response)
        assert "le <strong>20 novembre 2026</strong>" in page
        assert "en quelques jours" in page
        assert "ne fonctionnera plus" in page
        assert len(outbox()) == 1  # nothing sent before the landlord confirms
        token = page.split('name="token" value="')[1].split('"')[0]
        response = client.post("/compte/identifiant-perdu/confirmer/", {"token": token})
        assert response.url == "/compte/identifiant-perdu/envoye/"
        assert len(outbox()) == 2
        # Posting the same confirmation again sends nothing more.
        client.post("/compte/identifiant-perdu/confirmer/", {"token": token})
        assert len(outbox()) == 2
    second = outbox()[1]
    assert (second.channel, second.carries_temporary_password) == ("letter", True)
    assert second.context["identifier"] == user.identifier
    user.refresh_from_db()
    assert user.credentials_letter_sent_at.date() == datetime.date(2026, 11, 27)


def test_after_ten_days_a_new_letter_needs_no_confirmation(client, outbox):
    landlord = LandlordFactory(email="")
    with time_machine.travel(datetime.datetime(2026, 11, 10, 9, 0, tzinfo=PARIS)):
        user = services.grant_first_access(landlord=landlord)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, 1, tzinfo=PARIS)):
        response = ask(client, LOST_IDENTIFIER, user_number=user.user_number)
    assert response.status_code == 302
    assert len(outbox()) == 2


def test_lost_password_sends_each_account_its_own_message(client, outbox):
    a = UserFactory(email="gestion@sci.example", email_confirmed=True)
    b = UserFactory(email="Gestion@SCI.example", email_confirmed=True)
    UserFactory(email="gestion@sci.example", email_confirmed=False)  # never confirmed: not used
    response = ask(client, LOST_PASSWORD, email="gestion@sci.example")
    assert response.url == "/compte/mot-de-passe-perdu/envoye/"
    messages = outbox()
    assert [m.recipient for m in messages] == [a, b]
    for message in messages:
        assert message.carries_temporary_password
        assert message.temporary_password_validity == datetime.timedelta(hours=24)
        assert message.context["identifier"] == message.recipient.identifier


def test_a_wrong_captcha_is_refused_and_the_value_kept(client, outbox):
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    client.get(LOST_PASSWORD)
    response = client.post(
        LOST_PASSWORD, {"email": user.email, "captcha_0": "nope", "captcha_1": "XXXXX"}
    )
    page = text(response)
    assert "Le code de vérification ne correspond pas" in page
    assert 'value="marie@example.fr"' in page
    assert outbox() == []


@pytest.mark.parametrize("form", ["identifier", "password"])
def test_recovery_answers_the_same_for_existing_and_unknown_accounts(client, form):
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    if form == "identifier":
        path, known, unknown = (
            LOST_IDENTIFIER,
            {"user_number": user.user_number},
            {"user_number": rules.format_user_number(99_999_999)},
        )
    else:
        path, known, unknown = LOST_PASSWORD, {"email": user.email}, {"email": "nobody@example.fr"}
    answers = []
    for fields in (known, unknown):
        response = ask(client, path, **fields)
        followed = client.get(response.url)
        answers.append((response.status_code, response.url, followed.status_code, followed.content))
    assert answers[0] == answers[1]


def test_recovery_forms_are_rate_limited_per_address(client, outbox):
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    for _ in range(3):
        ask(client, LOST_PASSWORD, email=user.email)
    assert len(outbox()) == 3  # at most 3 messages an hour for one e-mail
    for _ in range(4):
        ask(client, LOST_PASSWORD, email=user.email)
    assert len(outbox()) == 3
    for _ in range(3):  # 10 requests an hour from one address, whatever the e-mail
        assert ask(client, LOST_PASSWORD, email="other@example.fr").status_code == 302
    response = ask(client, LOST_PASSWORD, email="other@example.fr")
    assert "beaucoup de demandes" in text(response)


def test_captcha_audio_spells_the_code_in_french(client):
    from captcha.models import CaptchaStore

    form = client.get(LOST_IDENTIFIER).content.decode()
    key = captcha_answer(form)["captcha_0"]
    assert f"/compte/captcha/audio/{key}.wav" in form
    response = client.get(f"/compte/captcha/audio/{key}.wav")
    assert response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF"
    assert CaptchaStore.objects.filter(hashkey=key).exists()  # listening does not use it up
    assert "Recopiez les 5 caractères" in text(client.get(LOST_IDENTIFIER))


def test_legal_landlord_always_gets_a_letter(outbox):
    landlord = LegalLandlordFactory(email="contact@sci.example")
    user = services.grant_first_access(landlord=landlord)
    [message] = outbox()
    assert (message.channel, message.template) == ("letter", "credentials")
    assert user.is_landlord_admin and user.email_confirmed
