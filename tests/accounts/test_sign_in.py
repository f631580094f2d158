"""Sign-in: exact chosen passwords, forgiving temporary ones, clear refusals, lock-outs."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portail.accounts import rules
from portail.accounts.models import User
from portail.accounts.temporary_passwords import (
    PURPOSE_RECOVERY,
    display,
    issue_temporary_password,
)
from portail.audit.models import Event
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
SIGN_IN = "/compte/connexion/"
PARIS = datetime.timezone(datetime.timedelta(hours=1))  # November: UTC+1


def body_of(response) -> str:
    return html.unescape(response.content.decode())


def post_sign_in(client, identifier, password, **extra):
    return client.post(SIGN_IN, {"identifier": identifier, "password": password}, **extra)


def new_user(**kwargs):
    user = UserFactory(**kwargs)
    user.set_unusable_password()
    user.save()
    return user


def test_chosen_password_signs_in_and_rotates_the_session(client):
    user = UserFactory()
    client.get(SIGN_IN)
    before = client.session.session_key
    response = post_sign_in(client, user.identifier.lower(), PASSWORD)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert Event.objects.filter(action="sign_in.success", actor=user).exists()


def test_chosen_password_is_exact(client):
    user = UserFactory()
    response = post_sign_in(client, user.identifier, PASSWORD.upper())
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert "#difficulte-7" in response.content.decode()


def test_wrong_password_and_unknown_identifier_get_the_same_message(client):
    user = UserFactory()
    known = body_of(post_sign_in(client, user.identifier, "pas le bon"))
    unknown = post_sign_in(client, rules.format_identifier(999998), "pas le bon").content.decode()
    message = "Identifiant ou mot de passe incorrect"
    assert message in known and message in unknown
    assert Event.objects.filter(action="sign_in.failure").count() == 2


def test_temporary_password_forgives_spaces_dashes_and_case_then_forces_the_change(client):
    user = new_user()
    clear = issue_temporary_password(user=user, channel="email")
    typed = display(clear).lower().replace(" ", "-")
    response = post_sign_in(client, user.identifier, typed)
    assert response.url == reverse("accounts:change_password")
    # Every other page leads back to the change form, whatever URL is typed.
    for path in ("/parcs/", "/", "/conseils/", "/compte/mail/", "/gestion/"):
        assert client.get(path).url == reverse("accounts:change_password"), path
    response = client.post(
        reverse("accounts:change_password"),
        {
            "new_password1": "Tilleul-Printemps-Lavande",
            "new_password2": "Tilleul-Printemps-Lavande",
        },
    )
    assert response.status_code == 302
    assert client.get("/parcs/").status_code == 200
    user.refresh_from_db()
    assert user.check_password("Tilleul-Printemps-Lavande")
    assert Event.objects.filter(action="password.change", actor=user).exists()


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Xq7-zw", "trop court"),
        ("tilleulprintemps" + "{identifier}", "trop facile à deviner"),
        ("telechargement", "les plus courants"),
    ],
)
def test_new_password_policy_refuses_with_advice_and_keeps_nothing(client, password, expected):
    user = new_user()
    clear = issue_temporary_password(user=user, channel="email")
    post_sign_in(client, user.identifier, clear)
    password = password.format(identifier=user.identifier)
    response = client.post(
        reverse("accounts:change_password"), {"new_password1": password, "new_password2": password}
    )
    body = body_of(response)
    assert expected in body
    assert password not in body


def test_changing_the_password_ends_other_sessions_and_retires_temporary_ones(
    client, django_user_model
):
    from django.test import Client

    user = UserFactory()
    other = Client()
    post_sign_in(other, user.identifier, PASSWORD)
    assert other.get("/parcs/").status_code == 200
    post_sign_in(client, user.identifier, PASSWORD)
    client.post(
        reverse("accounts:change_password"),
        {
            "current_password": PASSWORD,
            "new_password1": "Tilleul-Printemps-Lavande",
            "new_password2": "Tilleul-Printemps-Lavande",
        },
    )
    assert client.get("/parcs/").status_code == 200
    assert other.get("/parcs/").status_code == 302


def test_expired_temporary_password_says_when_and_offers_lost_password(client):
    user = new_user()
    with time_machine.travel(datetime.datetime(2026, 11, 13, 14, 5, tzinfo=PARIS), tick=False):
        clear = issue_temporary_password(user=user, channel="email")
    with time_machine.travel(datetime.datetime(2026, 11, 27, 14, 5, 1, tzinfo=PARIS)):
        body = body_of(post_sign_in(client, user.identifier, clear))
    assert "a expiré le 27 novembre 2026 à 14 h 05" in body
    assert reverse("accounts:lost_password") in body
    assert "#difficulte-8" in body


def test_replaced_temporary_password_names_the_newer_ones_date(client):
    user = new_user()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)):
        old = issue_temporary_password(user=user, channel="letter")
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)):
        issue_temporary_password(user=user, channel="letter")
    body = body_of(post_sign_in(client, user.identifier, old))
    assert "remplacé par un plus récent, envoyé le 24 novembre 2026" in body


@pytest.mark.parametrize(
    ("channel", "purpose", "issued", "valid_until"),
    [
        (
            "email",
            "access",
            datetime.datetime(2026, 11, 13, 14, 5),
            datetime.datetime(2026, 11, 27, 14, 5),
        ),
        (
            "letter",
            "access",
            datetime.datetime(2026, 9, 27, 14, 5),
            datetime.datetime(2026, 11, 27, 14, 5),
        ),
        (
            "email",
            PURPOSE_RECOVERY,
            datetime.datetime(2026, 11, 26, 14, 5),
            datetime.datetime(2026, 11, 27, 14, 5),
        ),
    ],
)
def test_temporary_passwords_expire_to_the_second(client, channel, purpose, issued, valid_until):
    user = new_user()
    with time_machine.travel(issued.replace(tzinfo=PARIS), tick=False):
        clear = issue_temporary_password(user=user, channel=channel, purpose=purpose)
    last_good = valid_until.replace(tzinfo=PARIS) - datetime.timedelta(seconds=1)
    with time_machine.travel(last_good, tick=False):
        assert post_sign_in(client, user.identifier, clear).status_code == 302
    client.logout()
    with time_machine.travel(valid_until.replace(tzinfo=PARIS), tick=False):
        body = body_of(post_sign_in(client, user.identifier, clear))
    assert "a expiré le 27 novembre 2026 à 14 h 05" in body


def test_lock_out_says_until_when_grows_and_lifts(client):
    user = UserFactory()
    start = datetime.datetime(2026, 11, 27, 14, 0, tzinfo=PARIS)
    with time_machine.travel(start, tick=False):
        for _ in range(rules.IDENTIFIER_LOCK_THRESHOLD - 1):
            post_sign_in(client, user.identifier, "mauvais")
        body = body_of(post_sign_in(client, user.identifier, "mauvais"))
        assert "bloquée par sécurité jusqu'au 27 novembre 2026 à 14 h 05" in body
        # Even the right password is refused while locked.
        body = body_of(post_sign_in(client, user.identifier, PASSWORD))
        assert "jusqu'au 27 novembre 2026 à 14 h 05" in body
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        for _ in range(rules.IDENTIFIER_LOCK_THRESHOLD):
            body = body_of(post_sign_in(client, user.identifier, "mauvais"))
        assert "jusqu'au 27 novembre 2026 à 14 h 20" in body  # second lock: 15 minutes
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        assert post_sign_in(client, user.identifier, PASSWORD).status_code == 302
    assert Event.objects.filter(action="sign_in.lockout").count() == 2


def test_unknown_identifiers_are_locked_too(client):
    unknown = rules.format_identifier(999997)
    for _ in range(rules.IDENTIFIER_LOCK_THRESHOLD):
        body = body_of(post_sign_in(client, unknown, "mauvais"))
    assert "bloquée par sécurité" in body


def test_one_address_trying_many_identifiers_is_locked(client):
    user = UserFactory()
    for n in range(rules.IP_LOCK_THRESHOLD):
        post_sign_in(client, rules.format_identifier(500000 + n), "mauvais")
    body = body_of(post_sign_in(client, user.identifier, PASSWORD))
    assert "bloquée par sécurité" in body
    other_address = post_sign_in(client, user.identifier, PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302


def test_sessions_end_after_twelve_hours_however_active(client):
    user = UserFactory()
    start = timezone.now()
    post_sign_in(client, user.identifier, PASSWORD)
    for step in range(1, 29):  # active every 25 minutes: the idle timeout never strikes
        with time_machine.travel(start + datetime.timedelta(minutes=25 * step)):
            assert client.get("/parcs/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1)):
        response = client.get("/parcs/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:sign_in")


def session_expiry(client) -> datetime.datetime:
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_an_idle_session_ends_after_thirty_minutes(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_sign_in(client, user.identifier, PASSWORD)
        assert client.get("/parcs/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=30, seconds=5)):
        response = client.get("/parcs/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


def test_pages_restart_the_idle_clock_at_most_once_a_minute(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_sign_in(client, user.identifier, PASSWORD)
        client.get("/parcs/")
        first = session_expiry(client)
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        client.get("/parcs/")
        assert session_expiry(client) == first  # no write for a page 30 s later
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        client.get("/parcs/")
        assert session_expiry(client) == first + datetime.timedelta(seconds=61)


def test_staying_signed_in_restarts_the_idle_clock_at_once(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_sign_in(client, user.identifier, PASSWORD)
        client.get("/parcs/")
        first = session_expiry(client)
    with time_machine.travel(start + datetime.timedelta(seconds=20), tick=False):
        assert client.get(reverse("accounts:keepalive")).status_code == 204
        assert session_expiry(client) == first + datetime.timedelta(seconds=20)


def test_demo_accounts_never_sign_in_with_debug_off(client, demo_accounts, settings):
    """A database loaded in demo mode, then served with DEBUG off: no demo account opens, not
    even one whose password was changed, and the demo password opens no account at all."""
    marie, company = demo_accounts["DEMO-P1"], demo_accounts["DEMO-M1"]
    assert post_sign_in(client, marie.identifier, marie.password).status_code == 302
    client.logout()
    settings.DEBUG = False
    changed = User.objects.get(identifier=company.identifier)
    changed.set_password(PASSWORD)
    changed.save()
    other = UserFactory()
    other.set_password(marie.password)
    other.save()
    for identifier, password in (
        (marie.identifier, marie.password),
        (company.identifier, PASSWORD),
        (other.identifier, marie.password),
    ):
        response = post_sign_in(client, identifier, password)
        assert "Identifiant ou mot de passe incorrect" in body_of(response), identifier
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(action="sign_in.demo_refused").count() == 3


def test_new_visitors_get_the_same_page_each_with_its_own_working_token():
    import re

    from django.test import Client

    user = UserFactory()
    pages, tokens = [], []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(SIGN_IN).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        pages.append(page.replace(token, "TOKEN"))
        tokens.append(token)
        response = visitor.post(
            SIGN_IN,
            {"csrfmiddlewaretoken": token, "identifier": user.identifier, "password": PASSWORD},
        )
        assert response.status_code == 302  # the visitor's own token is accepted
    assert pages[0] == pages[1] and tokens[0] != tokens[1]
    assert "Se connecter" in pages[0] and "Se déconnecter" not in pages[0]


def test_a_visit_with_a_destination_a_notice_or_a_session_gets_its_own_page(client):
    user = UserFactory()
    page = client.get(SIGN_IN + "?next=/courriers/").content.decode()
    assert 'name="next" value="/courriers/"' in page
    post_sign_in(client, user.identifier, PASSWORD)
    signed_in = client.get(SIGN_IN).content.decode()
    assert "Se déconnecter" in signed_in  # the header of a signed-in user, not a visitor's
    session = client.session
    session["signed_in_at"] -= 13 * 3600  # signed in 13 hours ago: the next page ends it
    session.save()
    ended = client.get("/courriers/", follow=True)
    assert ended.redirect_chain[-1][0] == SIGN_IN
    assert "on reste connecté 12 heures au plus" in body_of(ended)
