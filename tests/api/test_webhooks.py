"""Webhooks: one signed delivery per event and endpoint, through an outbox that retries with
back-off (a receiver down 10 minutes gets every event once back), never to a private address
in production settings, never following a redirect."""

import datetime
import hashlib
import hmac
import json

import pytest
import time_machine

from portail.api import services, webhooks
from portail.api.models import WebhookDelivery
from portail.events.models import Kind
from portail.events.services import emit

from .receiver import Receiver


@pytest.fixture
def insecure_targets(settings):
    settings.API_WEBHOOK_ALLOW_PRIVATE_TARGETS = True


def verify(secret: str, headers: dict, body: bytes, *, now: int) -> bool:
    """The receiver's check, as docs/api.md shows it."""
    timestamp = headers["Webhook-Timestamp"]
    if abs(now - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + expected.hexdigest(), headers["Webhook-Signature"])


def _register(world, url, kinds=(Kind.FILE_CHECKED,)):
    return services.register_webhook(
        user=world.user, landlord=world.user.landlord, url=url, kinds=list(kinds), ip=None
    )


def test_a_receiver_down_ten_minutes_gets_every_event_once_back(world, insecure_targets):
    receiver = Receiver()
    endpoint, secret = _register(world, receiver.url)
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        ids = {
            str(
                emit(
                    kind=Kind.FILE_CHECKED,
                    landlord_id=world.user.landlord_id,
                    portfolio_id=world.portfolio.pk,
                    data={"file_id": n},
                ).id
            )
            for n in range(3)
        }
        emit(kind=Kind.RECEIPT_REJECTED, landlord_id=world.user.landlord_id, data={})  # not chosen
        assert WebhookDelivery.objects.count() == 3
        for minute in range(0, 21):
            traveller.move_to(start + datetime.timedelta(minutes=minute))
            if minute == 10:
                receiver.start()
            webhooks.deliver_due()
            if minute < 10:
                assert receiver.received == []
        receiver.stop()
    assert sorted(json.loads(body)["id"] for _headers, body in receiver.received) == sorted(ids)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    for headers, body in receiver.received:
        assert headers["Webhook-Id"] == json.loads(body)["id"]
        assert verify(secret, headers, body, now=int(headers["Webhook-Timestamp"]))
        assert not verify("whsec_other", headers, body, now=int(headers["Webhook-Timestamp"]))
    delivery = WebhookDelivery.objects.first()
    assert delivery.attempts >= 4 and delivery.response_status == 204


def test_a_delivered_event_is_not_sent_again(world, insecure_targets):
    receiver = Receiver().start()
    try:
        _register(world, receiver.url)
        emit(kind=Kind.FILE_CHECKED, landlord_id=world.user.landlord_id, data={})
        assert webhooks.deliver_due()["delivered"] == 1
        assert webhooks.deliver_due()["delivered"] == 0
    finally:
        receiver.stop()
    assert len(receiver.received) == 1


def test_a_redirect_is_an_answer_not_followed(world, insecure_targets):
    target = Receiver().start()
    redirecting = Receiver(status=302, location=target.url).start()
    try:
        _register(world, redirecting.url)
        emit(kind=Kind.FILE_CHECKED, landlord_id=world.user.landlord_id, data={})
        assert webhooks.deliver_due() == {"delivered": 0, "pending": 1, "failed": 0}
    finally:
        target.stop()
        redirecting.stop()
    assert target.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_status == 302 and delivery.last_error == "ConnectionError: HTTP 302"


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/caf",  # not https
        "https://127.0.0.1/caf",
        "https://localhost/caf",
        "https://10.1.2.3/caf",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/caf",
        "https://[::ffff:127.0.0.1]/caf",
    ],
)
def test_private_targets_are_refused_in_production_settings(world, url):
    with pytest.raises(webhooks.TargetRefused):
        _register(world, url)


def test_a_target_is_checked_again_at_delivery(world, settings):
    receiver = Receiver().start()
    try:
        settings.API_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
        _register(world, receiver.url)
        settings.API_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
        emit(kind=Kind.FILE_CHECKED, landlord_id=world.user.landlord_id, data={})
        webhooks.deliver_due()
    finally:
        receiver.stop()
    assert receiver.received == []
    assert "https" in WebhookDelivery.objects.get().last_error


def test_the_page_shows_recent_deliveries_and_their_answers(client, world, insecure_targets):
    receiver = Receiver(status=200).start()
    try:
        _register(world, receiver.url)
        emit(kind=Kind.FILE_CHECKED, landlord_id=world.user.landlord_id, data={})
        webhooks.deliver_due()
    finally:
        receiver.stop()
    client.force_login(world.user)
    page = client.get("/acces-logiciels/").content.decode()
    assert receiver.url in page and "Remise" in page and "200 ok" in page
