"""Every "what to do" of a letter, an e-mail or a refusal leads to a path that works for the
person it is sent to: with or without e-mail, signed in before or not.

Each message a landlord can receive about their credentials is delivered (real SMTP server,
real letter rendering); every address of the portal it gives, and every recovery it names
(« Mot de passe perdu », « Identifiant perdu »), is then followed as that person would: the
form is filled with what they have, and they must receive something.
"""

import datetime
import html
import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from portail.accounts import dispatch, services
from portail.accounts.temporary_passwords import issue_temporary_password
from portail.common import clock
from portail.correspondence.models import Message
from portail.correspondence.services import deliver_due_messages
from tests.factories import LandlordFactory

from .conftest import captcha_answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_at_once")]
CHOSEN = "Tilleul-Printemps-Lavande"
SIGN_IN = "/compte/connexion/"
LOST_PASSWORD = "/compte/mot-de-passe-perdu/"
LOST_PASSWORD_LETTER = "/compte/mot-de-passe-perdu/courrier/"
LOST_IDENTIFIER = "/compte/identifiant-perdu/"
PERSONAS = [
    pytest.param(True, True, id="with-email-signed-in-before"),
    pytest.param(True, False, id="with-email-never-signed-in"),
    pytest.param(False, True, id="without-email-signed-in-before"),
    pytest.param(False, False, id="without-email-never-signed-in"),
]


def persona(*, with_email: bool, signed_in_before: bool):
    landlord = LandlordFactory(email="marie@example.fr" if with_email else "")
    user = services.grant_first_access(landlord=landlord)
    if signed_in_before:
        user.set_password(CHOSEN)
        user.last_login = clock.now()
        user.save()
    return user


def every_message_to(user) -> list[Message]:
    """What this person can receive about credentials, each delivered."""
    services.remind_identifier(user_number=user.user_number, ip=None, confirmed_letter_of=None)
    if dispatch.recovery_by_email(user):
        services.reset_password_by_email(email=user.email, ip=None)
    services.reset_password_by_letter(user_number=user.user_number, ip=None)
    if user.last_login is not None:
        services.change_password(user=user, new_password=CHOSEN + "-2", ip=None)
    deliver_due_messages()
    messages = list(Message.objects.filter(recipient=user).order_by("pk"))
    assert all(m.sent_at is not None for m in messages)
    return messages


def paths_named_in(text: str) -> set[str]:
    """The portal's addresses a text gives, and the recovery pages it names."""
    text = " ".join(text.split())
    paths = set(re.findall(re.escape(settings.SITE_URL) + r"(/[^\s)»,]*[^\s)»,.])", text))
    for found in re.finditer(r"« Mot de passe perdu »(.{0,80})", text):
        by_post = "« Recevoir un mot de passe provisoire par courrier »" in found.group(1)
        paths.add(LOST_PASSWORD_LETTER if by_post else LOST_PASSWORD)
    if "« Identifiant perdu »" in text:
        paths.add(LOST_IDENTIFIER)
    return paths


def _messages_now(user) -> int:
    return Message.objects.filter(recipient=user).count()


def follow(client, path: str, user) -> None:
    """Take the path as the person would, with what they have; they must receive something."""
    cache.clear()  # rate limits: each path is tried as a first request
    page = client.get(path)
    assert page.status_code == 200, path
    data = {LOST_PASSWORD: {"email": user.email}}.get(path, {"user_number": user.user_number})
    if path not in (LOST_PASSWORD, LOST_PASSWORD_LETTER, LOST_IDENTIFIER):
        return
    before = _messages_now(user)
    response = client.post(path, {**data, **captcha_answer(page.content.decode())})
    if b"Un courrier est d" in response.content:  # a letter on its way: confirm a new one
        token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
        response = client.post("/compte/identifiant-perdu/confirmer/", {"token": token})
    assert response.status_code == 302, html.unescape(response.content.decode())
    assert _messages_now(user) == before + 1, f"{path} sends nothing to this person"


@pytest.mark.parametrize(("with_email", "signed_in_before"), PERSONAS)
def test_every_what_to_do_of_the_messages_works_for_their_recipient(
    client, smtp_server, with_email, signed_in_before
):
    user = persona(with_email=with_email, signed_in_before=signed_in_before)
    messages = every_message_to(user)
    assert len(messages) >= 2
    named = set()
    for message in messages:
        for path in sorted(paths_named_in(message.body_text)):
            follow(client, path, user)
            named.add(path)
    assert SIGN_IN in named


@pytest.mark.parametrize(("with_email", "signed_in_before"), PERSONAS)
def test_an_expired_temporary_password_points_to_a_path_that_works(
    client, with_email, signed_in_before
):
    user = persona(with_email=with_email, signed_in_before=signed_in_before)
    channel = "email" if with_email else "letter"
    clear = issue_temporary_password(user=user, channel=channel)
    later = clock.now() + datetime.timedelta(days=70)
    with time_machine.travel(later, tick=False):
        response = client.post(SIGN_IN, {"identifier": user.identifier, "password": clear})
        page = html.unescape(response.content.decode())
        assert "a expiré le" in page
        refusal = re.search(r'role="alert".*?</div>', page, re.S).group()
        offered = set(re.findall(r'href="(/compte/[^"#]+)"', page.split("<form")[0]))
        assert offered, "the refusal offers a way to a new password"
        for path in sorted(offered | paths_named_in(refusal)):
            follow(client, path, user)


def test_every_help_link_of_the_recovery_pages_leads_to_an_entry(client):
    help_page = client.get("/conseils/").content.decode()
    pages = [SIGN_IN, LOST_PASSWORD, LOST_PASSWORD_LETTER, LOST_IDENTIFIER]
    pages += ["/compte/identifiant-perdu/envoye/", "/compte/mot-de-passe-perdu/envoye/"]
    pages += ["/compte/mot-de-passe-perdu/courrier/envoye/"]
    links = set()
    for path in pages:
        links |= set(re.findall(r'href="/conseils/#(difficulte-\d+)"', client.get(path).text))
    assert links
    for anchor in links:
        assert f'id="{anchor}"' in help_page
