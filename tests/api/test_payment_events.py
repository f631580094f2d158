"""payment.posted: the feed's payments import records one event per portfolio and import (not
per line), for the landlords with a webhook for it, in the import's transaction (the outbox:
its deliveries are written with the payments)."""

import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from portail.api.models import WebhookDelivery
from portail.api.services import register_webhook
from portail.events.models import DomainEvent, Kind
from portail.payments.models import Payment
from tests.factories import UserFactory

from ..conftest import DEMO_FEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(tmp_path):
    directory = tmp_path / "feed"
    shutil.copytree(DEMO_FEED, directory)
    return directory


def run(directory) -> None:
    call_command("import_feed", str(directory), stdout=StringIO())


def _raise_every_amount(feed) -> None:
    lines = (feed / "payments.csv").read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        number, period, amount, paid_on, reference = line.split(",")
        out.append(f"{number},{period},{Decimal(amount) + 1:.2f},{paid_on},{reference}")
    (feed / "payments.csv").write_text("\n".join(out) + "\n", encoding="utf-8")


def test_one_event_per_portfolio_of_a_listening_landlord_and_import(feed):
    run(feed)
    assert not DomainEvent.objects.exists()  # nobody listens yet
    landlord = Payment.objects.order_by("pk").first().portfolio.landlord
    user = UserFactory(landlord=landlord)
    endpoint, _secret = register_webhook(
        user=user,
        landlord=landlord,
        url="https://93.184.215.14/caf",
        kinds=[Kind.PAYMENT_POSTED],
        ip=None,
    )
    _raise_every_amount(feed)
    run(feed)
    events = list(DomainEvent.objects.filter(kind=Kind.PAYMENT_POSTED))
    paid = set(
        Payment.objects.filter(portfolio__landlord=landlord).values_list("portfolio", flat=True)
    )
    assert sorted(e.portfolio_id for e in events) == sorted(paid)
    assert {e.landlord_id for e in events} == {landlord.pk}
    for event in events:
        months = Payment.objects.filter(portfolio_id=event.portfolio_id).dates("period", "month")
        assert event.data["months"] == [m.isoformat() for m in months]
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == len(events)
    # The same file again posts nothing: no event.
    run(feed)
    assert DomainEvent.objects.filter(kind=Kind.PAYMENT_POSTED).count() == len(events)
