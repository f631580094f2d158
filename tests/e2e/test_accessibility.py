"""What axe cannot see: keyboard alone, the captcha by ear, errors announced twice, the idle
timeout's dialog, flash notices. Every page visited is also checked with axe."""

import re
from pathlib import Path

from playwright.sync_api import expect

from portail.accounts import rules
from portail.correspondence.models import Message
from tests.factories import UserFactory
from tests.rents.conftest import _campaign_day  # noqa: F401 - 27/11/2026, campaign open

from .conftest import assert_accessible, sign_in
from .test_rents import _published_irl  # noqa: F401 - the IRL the declarations compare with

SPEECH_RECORDER = Path(__file__).with_name("speech_recorder.sh")


def tab_to(page, locator, *, presses: int = 60, key: str = "Tab") -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would; fail if it never does."""
    target = locator.element_handle()
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    raise AssertionError(f"{locator} never got the focus with {key}")


def in_view(page, selector: str) -> bool:
    """Whether the element's top is on screen (not scrolled away above or below)."""
    where = page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return [r.top, window.innerHeight, window.scrollY]; }""",
        selector,
    )
    return -1 <= where[0] < where[1]


def assert_summary_announced(page) -> None:
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert in_view(page, "[data-error-summary]"), "the error summary is off screen"
    assert "#" not in page.url, f"the form posted to {page.url}"


def test_captcha_solved_by_ear_alone(page, settings, tmp_path, monkeypatch):
    """The sound plays in the page; what it says is read from the speech program's input."""
    log = tmp_path / "spoken.txt"
    monkeypatch.setenv("SPEECH_LOG", str(log))
    settings.CAPTCHA_SPEECH_PATH = str(SPEECH_RECORDER)
    # The recovery form queues its work: run it as it is queued.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASKS["default"].get("QUEUES", ["default"]),
        }
    }
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    page.goto("/compte/identifiant-perdu/")
    key = page.locator("input[name=captcha_0]").input_value()
    audio = page.locator("audio[data-captcha-audio]")
    expect(audio).to_have_attribute("src", f"/compte/captcha/audio/{key}.wav")
    answer = page.get_by_label("Code de vérification")
    described = answer.get_attribute("aria-describedby").split()
    assert "id_captcha_helptext" in described
    expect(page.locator("#id_captcha_helptext")).to_contain_text("écouter le code")
    # The links stand apart: never glued into one sentence for a screen reader.
    expect(page.locator(".captcha")).not_to_contain_text("français)Afficher")
    assert_accessible(page)
    # Play it with the keyboard, in the page.
    with page.expect_response(re.compile(r"/compte/captcha/audio/")) as heard:
        audio.focus()
        page.keyboard.press("Space")
    assert heard.value.status in (200, 206)
    assert page.url.endswith("/compte/identifiant-perdu/")  # still the form, same challenge
    expect(page.locator("input[name=captcha_0]")).to_have_value(key)
    spoken = log.read_text().splitlines()[-1]
    assert re.fullmatch(r"(\w, ){4}\w", spoken), spoken
    page.get_by_label("Numéro utilisateur").fill(rules.display_user_number(user.user_number))
    answer.fill(spoken.replace(", ", ""))
    page.get_by_role("button", name="Recevoir mon identifiant").click()
    expect(page.locator("h1")).to_have_text("Demande d'identifiant enregistrée")
    assert Message.objects.filter(recipient=user, template="lost_identifier").exists()


def test_a_skipped_captcha_keeps_its_challenge_and_ties_its_error(page):
    page.goto("/compte/identifiant-perdu/")
    key = page.locator("input[name=captcha_0]").input_value()
    page.get_by_role("button", name="Recevoir mon identifiant").click()
    assert_summary_announced(page)
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "Saisissez votre numéro utilisateur"
    )
    expect(page.locator("input[name=captcha_0]")).to_have_value(key)  # nothing was tried
    answer = page.get_by_label("Code de vérification")
    assert answer.get_attribute("aria-describedby").split() == [
        "id_captcha_helptext",
        "id_captcha_error",
    ]
    expect(answer).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_keyboard_only_sign_in_declare_acknowledgement_with_an_error_twice(page, demo_accounts):
    account = demo_accounts["DEMO-P1"]
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto("/compte/connexion/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    tab_to(page, page.get_by_label("Identifiant"))
    page.keyboard.type(account.identifier)
    tab_to(page, page.get_by_label("Mot de passe", exact=True))
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Liste de vos locataires")
    declare = page.get_by_role("link", name="Déclarer le loyer de Anh PETIT")
    tab_to(page, declare)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Loyer de juillet 2026 de Anh PETIT")
    amount = page.get_by_label("Loyer de juillet 2026 (hors charges)")
    tab_to(page, amount)
    page.keyboard.type("1.234")
    page.keyboard.press("Enter")
    assert_summary_announced(page)
    expect(page.locator("[data-error-summary]")).to_contain_text("1 234 € ou 1,23 €")
    # The summary's link takes the person to the field; the second error is announced too.
    page.keyboard.press("Tab")
    expect(page.locator("[data-error-summary] a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(amount).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("six cent")
    page.keyboard.press("Enter")
    assert_summary_announced(page)
    expect(page.locator("[data-error-summary]")).to_contain_text("par exemple 650,50")
    assert_accessible(page)
    tab_to(page, amount)
    page.keyboard.press("Control+A")
    page.keyboard.type("650,50")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Vérifiez votre déclaration")
    tab_to(page, page.get_by_role("button", name="Envoyer la déclaration"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Accusé de réception n°")
    assert_accessible(page)


def test_a_notice_present_at_load_gets_the_focus(page, demo_accounts):
    account = demo_accounts["DEMO-P1"]
    sign_in(page, account.identifier, account.password)
    # A password change says so with a notice: it is focused, so a screen reader reads it.
    page.goto("/compte/mot-de-passe/")
    page.get_by_label("Mot de passe actuel").fill(account.password)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Tilleul-Printemps-Lavande")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("Tilleul-Printemps-Lavande")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    notices = page.locator("[data-notices]")
    expect(notices).to_contain_text("Votre mot de passe est enregistré")
    expect(notices).to_be_focused()
    assert_accessible(page)


def test_idle_timeout_dialog_escape_means_not_now_then_a_plain_end(page, demo_accounts):
    from django.contrib.sessions.models import Session

    account = demo_accounts["DEMO-P1"]
    page.clock.install()
    sign_in(page, account.identifier, account.password)
    page.get_by_role("link", name="Déclarer le loyer de Anh PETIT").click()
    page.get_by_label("Loyer de juillet 2026 (hors charges)").fill("650,50")
    # The field can be typed in before the deferred portail.js has run on a busy machine; its
    # timers must be armed before the clock moves, or they start 23:50 late.
    page.wait_for_load_state("load")
    dialog = page.locator("dialog.session-warning")
    page.clock.run_for("23:50")
    expect(dialog).to_be_hidden()
    page.clock.run_for("00:20")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-describedby", "session-warning-text")
    expect(page.locator("#session-warning-text")).to_contain_text("dans 5 minutes")
    expect(page.get_by_role("button", name="Rester connecté")).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Escape")  # not now
    expect(dialog).to_be_hidden()
    page.clock.run_for("04:00")
    expect(dialog).to_be_visible()  # the second warning
    expect(page.locator("#session-warning-text")).to_contain_text("dans 1 minute")
    # Meanwhile the session ended on the server: staying signed in is no longer possible.
    Session.objects.all().delete()
    page.get_by_role("button", name="Rester connecté").click()
    expect(dialog.locator("h2")).to_have_text("Vous avez été déconnecté")
    expect(page.locator("#session-warning-text")).to_contain_text("ce que vous aviez tapé")
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()  # the end is not dismissed as if all were fine
    dialog.get_by_role("link", name="Me reconnecter").click()
    page.get_by_label("Identifiant").fill(account.identifier)
    page.get_by_label("Mot de passe", exact=True).fill(account.password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Loyer de juillet 2026 de Anh PETIT")
    expect(page.get_by_label("Loyer de juillet 2026 (hors charges)")).to_have_value("650,50")
    expect(page.locator("main")).to_contain_text("Nous avons remis ce que vous aviez tapé")


def test_a_file_in_progress_updates_in_place_and_can_be_stopped(page, demo_accounts):
    from portail.accounts.models import User
    from portail.portfolios.models import Portfolio
    from portail.rents.models import BulkImport

    account = demo_accounts["DEMO-P1"]
    portfolio = Portfolio.objects.filter(landlord__ref="DEMO-P1").first()
    bulk = BulkImport.objects.create(
        portfolio=portfolio,
        year=2026,
        file="depots/loyers.csv",
        filename="loyers.csv",
        status=BulkImport.Status.CHECKING,
        total_lines=4000,
        processed_lines=1000,
        uploaded_by=User.objects.get(identifier=account.identifier),
    )
    sign_in(page, account.identifier, account.password)
    page.clock.install()
    page.goto(f"/parcs/{portfolio.pk}/depots/{bulk.pk}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("1 000 lignes sur 4 000")
    assert_accessible(page)
    BulkImport.objects.filter(pk=bulk.pk).update(processed_lines=3000)
    page.clock.run_for(5_000)
    expect(status).to_contain_text("3 000 lignes sur 4 000")  # no reload: the same page
    expect(page.locator("progress")).to_have_attribute("value", "75")
    page.get_by_role("button", name="Arrêter la mise à jour automatique").click()
    BulkImport.objects.filter(pk=bulk.pk).update(processed_lines=3500)
    page.clock.run_for(10_000)
    expect(status).to_contain_text("3 000 lignes sur 4 000")
    expect(page.get_by_role("link", name="Actualiser la page")).to_be_visible()
