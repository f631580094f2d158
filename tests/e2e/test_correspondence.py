"""Mes courriers and the development mailbox, in a real browser with axe checks."""

import re

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from playwright.sync_api import expect

from portail.accounts.models import User
from portail.correspondence import services
from portail.correspondence.models import Message
from tests.smtp import free_port

from .conftest import assert_accessible, sign_in

TEMPORARY = re.compile(r"[A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4}")


def _lost_password_email(user):
    return services.queue_message(
        user=user,
        kind="lost_password",
        channel=Message.Channel.EMAIL,
        template="lost_password",
        context={},
        carries_temporary_password=True,
    )


def test_mes_courriers_lists_and_opens_messages_with_the_password_masked(
    page,
    demo_accounts,
    smtp_server,
):
    account = demo_accounts["DEMO-P1"]
    user = User.objects.get(identifier=account.identifier)
    services.queue_message(
        user=user,
        kind="notice",
        channel=Message.Channel.LETTER,
        template="notice",
        context={"title": "Votre déclaration de loyer", "paragraphs": ["Nous l'avons reçue."]},
    )
    _lost_password_email(user)
    services.deliver_due_messages()
    sign_in(page, account.identifier, account.password)
    page.get_by_role("link", name="Mes courriers").click()
    expect(page).to_have_title(re.compile(r"^Mes courriers – Espace bailleur – "))
    expect(page.locator("h1")).to_have_text("Mes courriers")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name="Votre nouveau mot de passe provisoire").click()
    expect(page.locator("h1")).to_have_text("Votre nouveau mot de passe provisoire")
    expect(page.locator("main")).to_contain_text("•••• •••• •••• ••••")
    assert not TEMPORARY.search(page.locator("main").inner_text())
    assert_accessible(page)
    page.get_by_role("link", name="Retour à Mes courriers").click()
    page.get_by_role("link", name="Votre déclaration de loyer").click()
    expect(page.locator("main")).to_contain_text("Nous l'avons reçue.")
    assert_accessible(page)


def test_dev_mailbox_shows_the_email_as_sent_with_its_password(
    page, demo_accounts, settings, tmp_path
):
    settings.DEV_MAILBOX_DIR = tmp_path / "mailbox"
    port = free_port()
    sink = Controller(Mailbox(settings.DEV_MAILBOX_DIR), hostname="127.0.0.1", port=port)
    sink.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = (
            "127.0.0.1",
            sink.server.sockets[0].getsockname()[1],
        )
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        user = User.objects.get(identifier=demo_accounts["DEMO-P1"].identifier)
        _lost_password_email(user)
        services.deliver_due_messages()
    finally:
        sink.stop()
    page.goto("/dev/courriers/")
    expect(page.locator("h1")).to_have_text("Boîte de développement")
    expect(page.locator(".dev-email h3")).to_have_text("Votre nouveau mot de passe provisoire")
    assert TEMPORARY.search(page.locator(".dev-email pre").inner_text())
    assert_accessible(page)
    settings.DEBUG = False
    assert page.goto("/dev/courriers/").status == 404
