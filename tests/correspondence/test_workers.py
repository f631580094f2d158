"""Real worker processes: an SMTP outage, a worker killed mid-batch, two workers at once."""

import signal
from collections import Counter

import pytest
from django.db import connection

from portail.common import clock
from portail.correspondence import services
from portail.correspondence.models import Message
from tests.factories import UserFactory

from .conftest import start_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(user, count):
    return [
        services.queue_message(
            user=user,
            kind="notice",
            channel=Message.Channel.EMAIL,
            template="notice",
            context={"title": f"Message {n}", "paragraphs": ["Bonjour."]},
        ).pk
        for n in range(count)
    ]


def _pk(message_id: str) -> int:
    return int(message_id.split("@")[0].removeprefix("<courrier-"))


def _finish(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


def test_smtp_outage_loses_nothing_and_sends_each_once(smtp_server, settings):
    smtp_server.stop()
    user = UserFactory(email="marie@example.org")
    pks = _queue(user, 20)
    # The django-tasks worker runs the 20 delivery tasks against the stopped server.
    _finish(
        start_worker(
            smtp=smtp_server,
            settings=settings,
            args=("db_worker", "--batch", "--queue-name", "mail"),
        )
    )
    assert smtp_server.messages == []
    assert Message.objects.filter(status=Message.Status.QUEUED, attempts=1).count() == 20

    smtp_server.start()
    # The first retry delay (1 minute) has passed: the sweep delivers what is due.
    Message.objects.update(next_attempt_at=clock.now())
    _finish(start_worker(smtp=smtp_server, settings=settings))
    assert services.deliver_due_messages() == {"sent": 0, "queued": 0, "failed": 0}
    received = Counter(_pk(mid) for mid in smtp_server.recorder.message_ids())
    assert received == Counter({pk: 1 for pk in pks})
    assert Message.objects.filter(status=Message.Status.SENT).count() == 20


def test_a_worker_killed_mid_batch_never_resends_what_is_recorded_sent(smtp_server, settings):
    """A real worker process, SIGKILLed while the SMTP server holds its 11th e-mail: the ten
    accepted before are recorded sent (each right after its "250"), the other 30 stay leased
    to the dead worker, and once the lease ends the next worker sends each of them once."""
    user = UserFactory(email="marie@example.org")
    pks = _queue(user, 40)
    smtp_server.recorder.hold_after = 10
    worker = start_worker(smtp=smtp_server, settings=settings)
    try:
        assert smtp_server.recorder.holding.wait(timeout=120), "the worker sent nothing"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        smtp_server.recorder.release.set()
    accepted = {_pk(mid) for mid in smtp_server.recorder.message_ids()}
    sent_before_kill = set(
        Message.objects.filter(status=Message.Status.SENT).values_list("pk", flat=True)
    )
    assert len(accepted) == 10 and sent_before_kill == accepted
    leased = Message.objects.filter(status=Message.Status.QUEUED)
    assert leased.count() == 30
    assert all(message.next_attempt_at > clock.now() for message in leased)
    # Leased to the dead worker: nobody sends them before the lease ends.
    assert services.deliver_due_messages() == {"sent": 0, "queued": 0, "failed": 0}

    leased.update(next_attempt_at=clock.now())  # the lease has ended
    smtp_server.recorder.hold_after = None
    _finish(start_worker(smtp=smtp_server, settings=settings))
    received = Counter(_pk(mid) for mid in smtp_server.recorder.message_ids())
    assert received == Counter({pk: 1 for pk in pks})
    assert Message.objects.filter(status=Message.Status.SENT).count() == 40


def _bulk_queue(user, count):
    Message.objects.bulk_create(
        Message(
            kind="notice",
            channel=Message.Channel.EMAIL,
            recipient=user,
            template="notice",
            context={"title": f"Message {n}", "paragraphs": ["Bonjour."]},
            subject=f"Message {n}",
            email=user.email,
        )
        for n in range(count)
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: the 600-message test")
def test_two_workers_on_sqlite_wait_for_the_single_writer_and_send_each_once(smtp_server, settings):
    _bulk_queue(UserFactory(email="marie@example.org"), 60)
    workers = [start_worker(smtp=smtp_server, settings=settings) for _ in range(2)]
    for worker in workers:
        _finish(worker)
    received = Counter(smtp_server.recorder.message_ids())
    assert len(received) == 60 and max(received.values()) == 1
    assert Message.objects.filter(status=Message.Status.SENT).count() == 60


# Enough for both workers to claim batches at the same time (3 batches each of 100), few
# enough to finish on a loaded 2-core machine: at 0.1 x the quiet rate (about 40 e-mails/s),
# 600 messages take 15 s; 300 s leaves room for worse without hiding a worker that hangs.
PARALLEL_MESSAGES = 600


@pytest.mark.skipif(connection.vendor == "sqlite", reason="several workers need PostgreSQL")
def test_two_workers_on_postgresql_deliver_600_messages_without_duplicate(smtp_server, settings):
    _bulk_queue(UserFactory(email="marie@example.org"), PARALLEL_MESSAGES)
    workers = [start_worker(smtp=smtp_server, settings=settings) for _ in range(2)]
    outputs = [_finish(worker, timeout=300) for worker in workers]
    received = Counter(smtp_server.recorder.message_ids())
    assert len(received) == PARALLEL_MESSAGES
    assert max(received.values()) == 1
    assert Message.objects.filter(status=Message.Status.SENT).count() == PARALLEL_MESSAGES
    assert all("sent=" in output for output in outputs)


def test_a_message_sent_while_the_database_goes_away_is_recorded_not_sent_again(
    smtp_server, monkeypatch
):
    from django.db import OperationalError

    user = UserFactory(email="marie@example.org")
    (pk,) = _queue(user, 1)
    original = services._record_sent
    calls = []

    def database_restarting(message):
        calls.append(message.pk)
        if len(calls) == 1:  # the commit after the SMTP server's "250" fails once
            raise OperationalError("terminating connection due to administrator command")
        original(message)

    monkeypatch.setattr(services, "_record_sent", database_restarting)
    services.deliver_message(message_id=pk)
    services.deliver_due_messages()
    assert smtp_server.recorder.message_ids() == [f"<courrier-{pk}@caf.example>"]
    assert Message.objects.get(pk=pk).status == Message.Status.SENT
