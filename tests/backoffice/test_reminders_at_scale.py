"""Campaign reminders queued in set-based writes, chunk by chunk: the same outcome as one by
one, nothing twice on a re-run or under two parallel runs (PostgreSQL)."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections

from portail.audit.models import Event
from portail.backoffice import services
from portail.backoffice.models import Reminder
from portail.correspondence.models import Message
from tests.factories import PortfolioFactory, TenancyFactory, UserFactory

from .conftest import make_staff

PARIS = datetime.timezone(datetime.timedelta(hours=1))
MORNING = datetime.datetime(2026, 11, 27, 9, tzinfo=PARIS)
LANDLORDS = 7


def _undeclared_landlords(count: int):
    users = []
    for n in range(count):
        user = UserFactory(email=f"bailleur{n}@example.fr", full_name=f"Bailleur {n}")
        TenancyFactory(portfolio=PortfolioFactory(landlord=user.landlord))
        users.append(user)
    return users


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(services, "REMINDER_CHUNK", 3)


def _counts(counts):
    return (counts.sent, counts.already_today, counts.no_email)


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_chunks_queue_one_reminder_per_landlord_and_a_rerun_queues_nothing():
    users = _undeclared_landlords(LANDLORDS)
    nobody = UserFactory(email="", landlord__email="")  # no address to write to
    TenancyFactory(portfolio=PortfolioFactory(landlord=nobody.landlord))
    # A deputy and an administrator: the administrator gets it.
    admin = UserFactory(
        landlord=users[0].landlord, email="admin@example.fr", is_landlord_admin=True
    )
    agent = make_staff("supervisor")
    with time_machine.travel(MORNING, tick=False):
        assert _counts(services.send_reminders(year=2026, agent=agent, ip=None)) == (7, 0, 1)
        assert _counts(services.send_reminders(year=2026, agent=agent, ip=None)) == (0, 7, 1)
    messages = Message.objects.filter(kind="campaign_reminder")
    assert messages.count() == LANDLORDS
    assert {m.email for m in messages} == {admin.email} | {u.email for u in users[1:]}
    assert set(Reminder.objects.values_list("message_id", flat=True)) == set(
        messages.values_list("pk", flat=True)
    )
    reminder = Reminder.objects.get(landlord=users[3].landlord)
    assert (reminder.sent_on, reminder.sent_by, reminder.year) == (MORNING.date(), agent, 2026)
    assert reminder.message.context["recipient_name"] == "Bailleur 3"
    assert reminder.message.subject == "Déclarez vos loyers de juillet 2026"
    assert [
        event.details["sent"]
        for event in Event.objects.filter(action="staff.campaign_reminders").order_by("pk")
    ] == [7, 0]


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_a_landlord_reminded_meanwhile_rolls_its_chunk_back_and_is_counted_once(monkeypatch):
    users = _undeclared_landlords(4)
    agent = make_staff("supervisor")
    original = services._remind_chunk
    raced = []

    def another_run_first(**kwargs):
        if not raced:  # a parallel run reminds the first landlord between our read and write
            raced.append(
                Reminder.objects.create(
                    landlord=users[0].landlord, year=2026, sent_on=MORNING.date()
                )
            )
        return original(**kwargs)

    monkeypatch.setattr(services, "_remind_chunk", another_run_first)
    with time_machine.travel(MORNING, tick=False):
        counts = services.send_reminders(year=2026, agent=agent, ip=None)
    assert _counts(counts) == (3, 1, 0)
    assert Reminder.objects.count() == 4
    assert Message.objects.filter(kind="campaign_reminder").count() == 3


@pytest.mark.skipif(connection.vendor == "sqlite", reason="parallel runs need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_chunks")
def test_two_parallel_runs_on_postgresql_queue_each_reminder_once():
    _undeclared_landlords(20)
    agent = make_staff("supervisor")
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=30)
            results.append(services.send_reminders(year=2026, agent=agent, ip=None))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(counts.sent for counts in results) == 20
    assert sum(counts.sent + counts.already_today for counts in results) == 40
    assert Reminder.objects.count() == 20
    assert Message.objects.filter(kind="campaign_reminder").count() == 20
    assert Message.objects.values("recipient").distinct().count() == 20
