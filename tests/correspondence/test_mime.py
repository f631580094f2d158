"""The sweep's e-mails built by the stdlib email package read, once received, as those Django's
EmailMessage built: same subject, sender, recipient, text and HTML, accents intact."""

import smtplib

import pytest

from portail.correspondence import batches, bulk, mime, rendering, services
from portail.correspondence.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LONG_LINE = "Loyer déclaré " * 100  # 1 400 characters on one line: quoted-printable


def _message(user, subject_line: str, paragraphs: list[str]) -> Message:
    [pk] = bulk.queue_messages(
        users=[user],
        kind="notice",
        channel=Message.Channel.EMAIL,
        template="notice",
        context={"title": subject_line, "paragraphs": paragraphs},
    )
    return Message.objects.select_related("recipient__landlord").get(pk=pk)


def _received_both_ways(smtp_server, message: Message):
    sent = rendering.render_email(
        message=message, context=rendering.message_context(message=message)
    )
    django_bytes = services.email_of(message, sent).message().as_bytes(linesep="\r\n")
    ours = mime.email_bytes(
        envelope=mime.envelope(sender=services._sender()), message=message, sent=sent
    )
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        client.sendmail(services._sender(), [message.email], django_bytes)
        client.sendmail(services._sender(), [message.email], ours)
    return smtp_server.messages


def _reading(received) -> dict:
    return {
        # Django folds a long non-ASCII subject onto a continuation line and it reads with a
        # leading space; ours reads without it.
        "subject": received["Subject"].strip(),
        "from": str(received["From"]),
        "to": str(received["To"]),
        "message_id": received["Message-ID"],
        "type": received.get_content_type(),
        "parts": [
            (part.get_content_type(), part.get_content_charset(), part.get_content())
            for part in received.iter_parts()
        ],
    }


@pytest.mark.parametrize(
    ("title", "paragraphs"),
    [
        ("Déclarez vos loyers de juillet 2026 – échéance à 1 234,56 €", ["Bonjour, ça va ?"]),
        ("Un sujet très long " * 8, [LONG_LINE, "From the first column", ".point"]),
    ],
)
def test_the_stdlib_e_mail_reads_as_django_s(smtp_server, title, paragraphs):
    message = _message(UserFactory(email="helene.martin@example.org"), title, paragraphs)
    django_made, ours = _received_both_ways(smtp_server, message)
    assert _reading(ours) == _reading(django_made)
    assert ours["Date"] is not None and ours["Date"].datetime is not None
    assert ours["Message-ID"] == f"<courrier-{message.pk}@caf.example>"
    assert "Caf de démonstration – Espace bailleur" in str(ours["From"])
    text, html = (part.get_content() for part in ours.iter_parts())
    assert paragraphs[0] in text and paragraphs[0].split()[0] in html
    assert "é" in text and "é" in html


def test_the_sweep_sends_the_stdlib_e_mail(smtp_server):
    message = _message(UserFactory(email="marie@example.org"), "Loyers déclarés", ["Merci."])
    assert batches.deliver_due_messages() == {"sent": 1, "queued": 0, "failed": 0}
    [received] = smtp_server.messages
    assert received["Subject"] == "Loyers déclarés"
    assert received["Message-ID"] == f"<courrier-{message.pk}@caf.example>"
    assert received.get_body(("plain",)).get_content().count("Merci.") == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Subject", "Message 12"),
        ("Subject", "Rappel : vos loyers de juillet 2026 (échéance)"),
        ("Subject", "Deux  espaces, un =?utf-8?q?mot?= codé"),
        ("Subject", " espace devant"),
        ("Subject", "x" * 69),
        ("Subject", "x" * 70),
        ("Subject", 'Guillemets "et" (parenthèses) <chevrons> ; virgule, point.'),
        ("To", "marie.dupont+loyers@example.org"),
        ("To", "o'brien@example.org"),
        ("To", "Marie <marie@example.org>"),
        ("To", "marie..dupont@example.org"),
        ("To", "héloïse@exemple.fr"),
        ("To", "x" * 60 + "@example.org"),
    ],
)
def test_a_header_written_as_it_is_reads_as_the_policy_folds_it(name, value):
    """A plain address or a short ASCII subject is not parsed again: the bytes are the
    policy's; any other value still goes through the policy."""
    assert mime._header(name, value) == mime.policy.SMTP.fold_binary(
        name, mime.policy.SMTP.header_factory(name, value)
    )
