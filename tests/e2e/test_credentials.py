"""Difficulties 1 to 8 of the help sheet, walked in a real browser as a landlord would.

E-mails are read from a real SMTP server started by the test, letters from the PDF spool.
Every page visited is checked with axe.
"""

import datetime
import re
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from portail.accounts import rules, services
from portail.accounts.models import User
from tests.factories import LandlordFactory, UserFactory

from .conftest import assert_accessible, choose_password, sign_in

IDENTIFIER = re.compile(r"LOG\d{6}[A-Z]")
TEMPORARY = re.compile(r"\b[A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4}\b")
CHOSEN = "Tilleul-Printemps-Lavande"


@pytest.fixture(autouse=True)
def _recovery_tasks_at_once(settings):
    """The recovery forms queue their work; here it runs as it is queued (rate limits live in
    the database, emptied between browser tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def deliver() -> None:
    from portail.correspondence.services import deliver_due_messages

    deliver_due_messages()


def last_email(server) -> str:
    return server.messages[-1].get_body(preferencelist=("plain",)).get_content()


def last_letter() -> str:
    spool = Path(settings.LETTER_SPOOL_DIR)
    newest = sorted(spool.glob("*.pdf"))[-1]
    return subprocess.run(
        ["pdftotext", "-layout", str(newest), "-"], capture_output=True, text=True, check=True
    ).stdout


def fill_captcha(page) -> None:
    """Read the image as a person would: here, from the store behind it."""
    from captcha.models import CaptchaStore

    key = page.locator("input[name=captcha_0]").input_value()
    page.get_by_label("Code de vérification").fill(CaptchaStore.objects.get(hashkey=key).challenge)


def test_first_letter_typed_by_hand_then_email_confirmed(page, smtp_server):
    """Difficulties 5, 6, 7: a letter, an identifier typed with O, a password typed loosely."""
    user = services.grant_first_access(landlord=LandlordFactory(email=""))
    deliver()
    letter = last_letter()
    identifier, password = IDENTIFIER.search(letter).group(), TEMPORARY.search(letter).group()
    assert identifier == user.identifier
    sign_in(page, identifier.replace("0", "O").lower(), password.lower().replace(" ", "-"))
    # Nothing else is reachable until the password is changed.
    page.goto("/parcs/")
    expect(page.locator("h1")).to_have_text("Choisir votre mot de passe")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(identifier + "-abc")
    page.get_by_label("Confirmez le nouveau mot de passe").fill(identifier + "-abc")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("trop facile à deviner")
    expect(page.get_by_label("Nouveau mot de passe", exact=True)).to_have_value("")
    assert_accessible(page)
    choose_password(page, CHOSEN)
    # Invited to give an e-mail, confirmed by a code sent to it.
    expect(page.locator("h1")).to_have_text("Votre adresse mail")
    assert_accessible(page)
    page.get_by_label("Adresse mail").fill("jean.dubois@example.fr")
    page.get_by_role("button", name="Recevoir le code").click()
    expect(page.locator("h1")).to_have_text("Confirmer votre adresse mail")
    assert page.get_by_label("Code reçu par mail").get_attribute("autocomplete") == "one-time-code"
    deliver()
    code = re.search(r"\b\d{6}\b", last_email(smtp_server)).group()
    page.get_by_label("Code reçu par mail").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Confirmer l'adresse").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("ne correspond pas")
    assert_accessible(page)
    page.get_by_label("Code reçu par mail").fill(code)
    page.get_by_role("button", name="Confirmer l'adresse").click()
    expect(page.get_by_text("est confirmée")).to_be_visible()
    user.refresh_from_db()
    assert user.email_confirmed and user.check_password(CHOSEN)


def test_lost_identifier_by_email(page, smtp_server):
    """Difficulties 1 and 4: the user number, the captcha, the identifier by e-mail."""
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    page.goto("/compte/connexion/")
    page.get_by_role("link", name="Identifiant perdu").click()
    expect(page.locator("h1")).to_have_text("Identifiant perdu")
    assert_accessible(page)
    key = page.locator("input[name=captcha_0]").input_value()
    page.get_by_role("link", name="Afficher un autre code (image et son)").click()
    expect(page.locator("input[name=captcha_0]")).not_to_have_value(key)
    new_key = page.locator("input[name=captcha_0]").input_value()
    audio = page.locator("audio[data-captcha-audio]")
    expect(audio).to_have_attribute("src", f"/compte/captcha/audio/{new_key}.wav")
    response = page.request.get(audio.get_attribute("src"))
    assert response.headers["content-type"] == "audio/wav"
    page.get_by_label("Numéro utilisateur").fill("1234 5678 00")
    fill_captcha(page)
    page.get_by_role("button", name="Recevoir mon identifiant").click()
    expect(page.locator("#id_user_number_error")).to_contain_text("faute de frappe")
    expect(page.get_by_label("Numéro utilisateur")).to_have_value("1234 5678 00")
    expect(page.locator("[data-error-summary] a[href$='#difficulte-4']")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Numéro utilisateur").fill(rules.display_user_number(user.user_number))
    fill_captcha(page)
    page.get_by_role("button", name="Recevoir mon identifiant").click()
    expect(page.locator("h1")).to_have_text("Demande d'identifiant enregistrée")
    assert_accessible(page)
    deliver()
    assert user.identifier in last_email(smtp_server)


def test_expired_password_then_lost_password(page, smtp_server):
    """Difficulties 8 and 2: the expiry date, then a new password by e-mail valid 24 hours."""
    start = datetime.datetime(2026, 11, 13, 14, 5, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        user = services.grant_first_access(landlord=LandlordFactory(email="marie@example.fr"))
        deliver()
    password = TEMPORARY.search(last_email(smtp_server)).group()
    with time_machine.travel(start + datetime.timedelta(days=14, minutes=1)):
        sign_in(page, user.identifier, password)
        expect(page.locator("[data-error-summary]")).to_contain_text(
            "a expiré le 27 novembre 2026 à 15 h 05"
        )
        assert_accessible(page)
        page.get_by_role("link", name=re.compile("Mot de passe perdu")).first.click()
        expect(page.locator("h1")).to_have_text("Mot de passe perdu")
        assert_accessible(page)
        page.get_by_label("Adresse mail de votre compte").fill("marie@example.fr")
        fill_captcha(page)
        page.get_by_role("button", name="Recevoir un mot de passe provisoire").click()
        expect(page.locator("h1")).to_have_text("Demande de mot de passe enregistrée")
        assert_accessible(page)
        deliver()
        mail = last_email(smtp_server)
        assert user.identifier in mail
        sign_in(page, user.identifier, TEMPORARY.search(mail).group())
        choose_password(page, CHOSEN)
        expect(page.locator("h1")).to_have_text("Mes parcs")


def test_letters_that_cross(page, smtp_server):
    """Difficulties 3 and 6: a new letter only after confirming, and the old one says so."""
    sent = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(sent, tick=False):
        user = services.grant_first_access(landlord=LandlordFactory(email=""))
        deliver()
    first_text = last_letter()
    first = TEMPORARY.search(first_text).group()
    with time_machine.travel(sent + datetime.timedelta(days=7)):
        page.goto("/compte/identifiant-perdu/")
        page.get_by_label("Numéro utilisateur").fill(user.user_number)
        fill_captcha(page)
        page.get_by_role("button", name="Recevoir mon identifiant").click()
        expect(page.locator("h1")).to_have_text("Un courrier est déjà en route")
        expect(page.locator("main")).to_contain_text("20 novembre 2026")
        assert_accessible(page)
        page.get_by_role("button", name="Envoyer quand même un nouveau courrier").click()
        expect(page.locator("h1")).to_have_text("Demande d'identifiant enregistrée")
        deliver()
        second = last_letter()
        assert user.identifier in second
        assert "remplace le précédent" in " ".join(second.split())
        assert "remplace le précédent" not in " ".join(first_text.split())
        sign_in(page, user.identifier, first)
        expect(page.locator("[data-error-summary]")).to_contain_text(
            "remplacé par un plus récent, envoyé le 27 novembre 2026"
        )
        assert_accessible(page)
        sign_in(page, user.identifier, TEMPORARY.search(second).group())
        choose_password(page, CHOSEN)
    assert User.objects.get(pk=user.pk).check_password(CHOSEN)


def test_lock_out_is_announced_with_its_end(page):
    """Difficulty 7: after five failures, the page says until when."""
    user = UserFactory()
    now = datetime.datetime(2026, 11, 27, 13, 0, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        for _ in range(rules.IDENTIFIER_LOCK_THRESHOLD):
            sign_in(page, user.identifier, "mauvais")
        expect(page.locator("[data-error-summary]")).to_contain_text(
            "bloquée par sécurité jusqu'au 27 novembre 2026 à 14 h 05"
        )
        assert_accessible(page)


def test_password_can_be_shown_and_caps_lock_is_announced(page):
    """Difficulty 7: see what was typed; know that capitals are locked."""
    page.goto("/compte/connexion/")
    field = page.get_by_label("Mot de passe", exact=True)
    field.fill("Abcd Efgh")
    page.get_by_role("button", name="Afficher le mot de passe").click()
    assert field.get_attribute("type") == "text"
    page.get_by_role("button", name="Masquer le mot de passe").click()
    assert field.get_attribute("type") == "password"
    # Headless Chromium has no Caps Lock state: send the key event a locked keyboard sends.
    field.dispatch_event("keydown", {"key": "A", "modifierCapsLock": True})
    expect(page.locator("#id_password-caps")).to_contain_text("Majuscule")
    assert_accessible(page)


def test_lost_password_without_email_by_post(page):
    """A landlord without e-mail, who signed in before, forgot the password: a letter."""
    user = UserFactory(email="", last_login=datetime.datetime(2025, 7, 3, tzinfo=datetime.UTC))
    page.goto("/compte/connexion/")
    page.get_by_role("link", name="Mot de passe perdu").click()
    page.get_by_role("link", name="Recevoir un mot de passe provisoire par courrier").click()
    expect(page.locator("h1")).to_have_text("Mot de passe perdu : recevoir un courrier")
    assert_accessible(page)
    page.get_by_label("Numéro utilisateur").fill(rules.display_user_number(user.user_number))
    fill_captcha(page)
    page.get_by_role("button", name="Recevoir un mot de passe par courrier").click()
    expect(page.locator("h1")).to_have_text("Demande de courrier enregistrée")
    assert_accessible(page)
    deliver()
    letter = last_letter()
    assert user.identifier in letter
    sign_in(page, user.identifier, TEMPORARY.search(letter).group())
    choose_password(page, CHOSEN)
    assert User.objects.get(pk=user.pk).check_password(CHOSEN)
