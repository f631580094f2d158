"""The sweep's "sent" records while the next e-mail goes (sent_records.py, smtp.py): no e-mail
is accepted before the one ahead of it is recorded, a record lost to the database going away is
written again, and the SMTP transaction sends what smtplib's sendmail would."""

import smtplib
from email import message_from_bytes, policy

import psycopg
import pytest
from django.db import connection

from portail.correspondence import bulk, sent_records, services, smtp
from portail.correspondence.models import Message
from tests.factories import UserFactory

NOTICE = {"title": "Déclarez vos loyers de juillet 2026", "paragraphs": ["Bonjour."]}


def _queue(count: int) -> list[int]:
    return bulk.queue_messages(
        users=[UserFactory(email="marie@example.org")] * count,
        kind="notice",
        channel=Message.Channel.EMAIL,
        template="notice",
        context=NOTICE,
    )


@pytest.mark.django_db(transaction=True)
def test_each_e_mail_is_accepted_only_once_the_one_before_is_recorded(smtp_server, monkeypatch):
    """Seen from the SMTP server (another thread, its own database connection): when an e-mail
    arrives, every e-mail accepted before it is already recorded sent."""
    _queue(12)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the server's handler queries
    recorded_when_received = []

    def note(received):
        recorded_when_received.append(
            (len(smtp_server.messages), Message.objects.filter(status="sent").count())
        )
        connection.close()  # the server thread's own connection
        return False  # accepted

    smtp_server.recorder.refuse = note
    assert services.deliver_due_messages() == {"sent": 12, "queued": 0, "failed": 0}
    assert recorded_when_received == [(n, n) for n in range(12)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes and waits")
def test_a_record_lost_to_the_database_going_away_is_written_again(smtp_server, monkeypatch):
    pks = _queue(3)
    results = sent_records._results
    failures = []

    def database_restarting(pgconn):
        if not failures:
            failures.append(pgconn)
            raise psycopg.OperationalError("terminating connection due to administrator command")
        return results(pgconn)

    monkeypatch.setattr(sent_records, "_results", database_restarting)
    assert services.deliver_due_messages() == {"sent": 3, "queued": 0, "failed": 0}
    assert failures
    assert services.deliver_due_messages() == {"sent": 0, "queued": 0, "failed": 0}
    received = sorted(str(message["Message-ID"]) for message in smtp_server.messages)
    assert received == sorted(f"<courrier-{pk}@caf.example>" for pk in pks)
    assert all(message.sent_at for message in Message.objects.filter(status="sent"))
    assert Message.objects.filter(status="sent").count() == 3


@pytest.mark.django_db
def test_the_smtp_transaction_sends_what_sendmail_sends(smtp_server):
    data = (
        b"From: Caf <espace-bailleur@caf.example>\r\nTo: marie@example.org\r\n"
        b"Subject: Essai\r\n\r\nPremier\r\n.point en tete\r\n..deux\r\nFin"
    )
    steps = []
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        smtp.send(
            client,
            sender="espace-bailleur@caf.example",
            recipient="marie@example.org",
            data=data,
            before_end=lambda: steps.append(len(smtp_server.messages)),
        )
        client.sendmail("espace-bailleur@caf.example", ["marie@example.org"], data)
    ours, sendmail_s = smtp_server.messages
    assert steps == [0]  # before the end of the message, not after
    assert ours.as_bytes() == sendmail_s.as_bytes()
    assert ours.get_content().splitlines() == ["Premier", ".point en tete", "..deux", "Fin"]


@pytest.mark.django_db
def test_a_refused_recipient_raises_as_sendmail_and_the_connection_goes_on(smtp_server):
    smtp_server.recorder.refuse = lambda received: received["To"] == "refus@example.org"
    data = b"To: refus@example.org\r\nSubject: Essai\r\n\r\nBonjour\r\n"
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        with pytest.raises(smtplib.SMTPDataError):
            smtp.send(client, sender="a@caf.example", recipient="refus@example.org", data=data)
        accepted = data.replace(b"refus@", b"marie@")
        smtp.send(client, sender="a@caf.example", recipient="marie@example.org", data=accepted)
    [received] = smtp_server.messages
    assert message_from_bytes(accepted, policy=policy.default)["To"] == received["To"]
