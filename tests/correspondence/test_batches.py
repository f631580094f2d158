"""The sweep's batches: many messages on one connection, a refusal mid-batch retried alone, and
the set-based queueing that writes what queue_message would."""

import datetime
from collections import Counter

import pytest
import time_machine

from portail.correspondence import batches, bulk, services
from portail.correspondence.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
NOTICE = {"title": "Déclarez vos loyers de juillet 2026", "paragraphs": ["Bonjour."]}


def _pk(message) -> int:
    return int(str(message["Message-ID"]).split("@")[0].removeprefix("<courrier-"))


def _queue(user, count):
    return bulk.queue_messages(
        users=[user] * count,
        kind="notice",
        channel=Message.Channel.EMAIL,
        template="notice",
        context=NOTICE,
    )


def test_a_batch_goes_over_one_smtp_connection(smtp_server):
    pks = _queue(UserFactory(email="marie@example.org"), 30)
    assert services.deliver_due_messages() == {"sent": 30, "queued": 0, "failed": 0}
    assert sorted(_pk(message) for message in smtp_server.messages) == sorted(pks)
    assert len(smtp_server.recorder.peers) == 1


def test_an_smtp_refusal_mid_batch_retries_that_message_alone_with_backoff(smtp_server):
    with time_machine.travel(NOW, tick=False):
        pks = _queue(UserFactory(email="marie@example.org"), 10)
        refused = pks[3]
        smtp_server.recorder.refuse = lambda message: _pk(message) == refused
        assert services.deliver_due_messages() == {"sent": 9, "queued": 1, "failed": 0}
    message = Message.objects.get(pk=refused)
    assert (message.status, message.attempts) == (Message.Status.QUEUED, 1)
    assert message.next_attempt_at == NOW + datetime.timedelta(minutes=1)
    assert message.last_error.startswith("SMTPDataError")
    assert Message.objects.filter(status=Message.Status.SENT).count() == 9
    # Not due before its backoff; those already accepted are never sent again.
    with time_machine.travel(NOW + datetime.timedelta(seconds=59), tick=False):
        assert services.deliver_due_messages() == {"sent": 0, "queued": 0, "failed": 0}
    smtp_server.recorder.refuse = None
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert services.deliver_due_messages() == {"sent": 1, "queued": 0, "failed": 0}
    received = Counter(_pk(message) for message in smtp_server.messages)
    assert received == Counter({pk: 1 for pk in pks})
    assert Message.objects.get(pk=refused).attempts == 2


def test_the_server_down_mid_batch_leaves_the_rest_queued_with_backoff(smtp_server):
    with time_machine.travel(NOW, tick=False):
        pks = _queue(UserFactory(email="marie@example.org"), 6)
        sent_first = set(pks[:2])
        smtp_server.recorder.refuse = lambda message: _pk(message) not in sent_first
        assert services.deliver_due_messages() == {"sent": 2, "queued": 4, "failed": 0}
    waiting = Message.objects.filter(status=Message.Status.QUEUED)
    assert {message.next_attempt_at for message in waiting} == {NOW + datetime.timedelta(minutes=1)}
    assert {_pk(message) for message in smtp_server.messages} == sent_first


def test_a_batch_past_half_its_lease_hands_the_rest_back(smtp_server, monkeypatch):
    pks = _queue(UserFactory(email="marie@example.org"), 5)
    monkeypatch.setattr(batches, "LEASE", datetime.timedelta(0))
    claimed = batches.claim_batch(size=5)
    counts = {"sent": 0, "queued": 0, "failed": 0}
    batches.deliver_batch(claimed, services.smtp_connection(), counts)
    assert counts == {"sent": 1, "queued": 0, "failed": 0}
    assert set(Message.objects.filter(attempts=0).values_list("pk", flat=True)) == set(pks[1:])
    monkeypatch.undo()
    assert services.deliver_due_messages() == {"sent": 4, "queued": 0, "failed": 0}
    assert sorted(_pk(message) for message in smtp_server.messages) == sorted(pks)


def test_a_claimed_batch_is_leased_not_due_for_another_worker():
    with time_machine.travel(NOW, tick=False):
        _queue(UserFactory(email="marie@example.org"), 3)
        claimed = batches.claim_batch(size=2)
        assert [message.attempts for message in claimed] == [1, 1]
        assert [message.pk for message in batches.claim_batch(size=5)] != []
        assert batches.claim_batch(size=5) == []
    assert {message.next_attempt_at for message in claimed} == {NOW + batches.LEASE}


def test_queueing_many_writes_what_queue_message_writes():
    user = UserFactory(email="marie@example.org", full_name="Marie Martin")
    (pk,) = _queue(user, 1)
    one = services.queue_message(
        user=user, kind="notice", channel=Message.Channel.EMAIL, template="notice", context=NOTICE
    )
    many = Message.objects.get(pk=pk)
    fields = ["kind", "channel", "recipient_id", "template", "context", "subject", "email"]
    assert [getattr(many, name) for name in fields] == [getattr(one, name) for name in fields]
    assert many.subject == "Déclarez vos loyers de juillet 2026"
    assert many.context["recipient_name"] == "Marie Martin"
    assert (many.status, many.attempts, many.address) == (Message.Status.QUEUED, 0, [])


def test_queueing_many_refuses_a_secret_and_writes_nothing():
    with pytest.raises(services.SecretInContextError):
        bulk.queue_messages(
            users=[UserFactory()],
            kind="notice",
            channel=Message.Channel.EMAIL,
            template="notice",
            context={"title": "x", "password": "1234"},
        )
    assert Message.objects.count() == 0
