"""Webhooks: each business event becomes one delivery row per endpoint that chose it (in the
event's transaction), then a signed POST, retried with the outbox's back-off until answered.

Delivery is at least once: the row is claimed under a row lock and marked delivered in the
same transaction as the send; a worker that dies mid-send leaves it pending, and it is sent
again (receivers de-duplicate on ``Webhook-Id``, the event's id). Retries: 1, 2, 4 … minutes,
at most 2 hours apart, for 24 hours (correspondence.rules), then *failed* and shown as such.
"""

import hashlib
import hmac
import json
import logging
import socket
import ssl
from http.client import HTTPConnection, HTTPSConnection
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import BigIntegerField, QuerySet

from portail.common import clock
from portail.common.prepared import Param, compiled
from portail.correspondence import rules as outbox_rules
from portail.events.models import DomainEvent

from . import rules
from .models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
RESPONSE_KEPT_BYTES = 500


class TargetRefused(ValueError):
    """A webhook address we will not call; ``message`` says why, in French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def signing_secret(endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret: HMAC(SECRET_KEY, its salt); never stored."""
    key = hashlib.sha256(b"portail.api.webhooks:" + settings.SECRET_KEY.encode()).digest()
    return "whsec_" + hmac.new(key, endpoint.secret_salt.encode(), hashlib.sha256).hexdigest()


def _insecure_targets_allowed() -> bool:
    """Development and tests only: plain HTTP and loopback or private addresses."""
    return settings.API_WEBHOOK_ALLOW_PRIVATE_TARGETS


def check_target_url(url: str) -> list[str]:
    """The addresses to call for this URL: HTTPS, a host that resolves to public addresses
    only (SSRF: no loopback, private or link-local target); TargetRefused otherwise."""
    incomplete = TargetRefused(
        "Saisissez une adresse complète, par exemple https://exemple.fr/caf."
    )
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when it is not a port number
    except ValueError:
        raise incomplete from None
    insecure = _insecure_targets_allowed()
    if parts.scheme != "https" and not (insecure and parts.scheme == "http"):
        raise TargetRefused("L'adresse doit commencer par https://.")
    if not parts.hostname or parts.username or parts.password:
        raise incomplete
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise TargetRefused("Ce nom de serveur est introuvable.") from None
    addresses = sorted({info[4][0] for info in infos})
    if not insecure and not all(rules.is_public_address(a) for a in addresses):
        raise TargetRefused(
            "Cette adresse mène à un réseau privé : choisissez une adresse publique."
        )
    return addresses


def fan_out(event: DomainEvent) -> None:
    """Subscriber of portail.events: one delivery per endpoint of the landlord that chose this
    kind of event, written in the event's transaction, sent after commit."""
    endpoints = [
        e
        for e in _endpoints_of_landlord().instances(landlord=event.landlord_id)
        if event.kind in e.kinds
    ]
    if not endpoints:
        return
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event=event) for e in endpoints]
    )
    ids = [d.pk for d in deliveries if d.pk is not None]
    transaction.on_commit(lambda: _enqueue(ids))


@compiled
def _endpoints_of_landlord() -> QuerySet[WebhookEndpoint]:
    """A landlord's webhook endpoints (compiled once: every event reads them)."""
    return WebhookEndpoint.objects.filter(landlord_id=Param("landlord", BigIntegerField()))


def landlords_with_webhooks(kind: str, landlord_ids: set[int]) -> set[int]:
    """Listener of portail.events: those of these landlords with an endpoint for this kind."""
    endpoints = WebhookEndpoint.objects.filter(landlord_id__in=landlord_ids).values_list(
        "landlord_id", "kinds"
    )
    return {landlord_id for landlord_id, kinds in endpoints if kind in kinds}


def _enqueue(ids: list, run_after=None) -> None:
    from .tasks import deliver_webhook_task

    task = deliver_webhook_task.using(run_after=run_after) if run_after else deliver_webhook_task
    for delivery_id in ids:
        try:
            task.enqueue(delivery_id)
        except Exception:  # the sweep (deliver_webhooks) delivers it anyway
            log.exception("webhook_enqueue_failed id=%s", delivery_id)


def payload_of(event: DomainEvent) -> bytes:
    """The body sent: the event's id, type, date and data, as compact JSON."""
    return json.dumps(
        {
            "id": str(event.id),
            "type": event.kind,
            "occurred_at": event.occurred_at.isoformat(),
            "portfolio_id": event.portfolio_id,
            "data": event.data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    ).encode()


class _PinnedHTTPSConnection(HTTPSConnection):
    """HTTPS to the address checked, with the certificate checked for the URL's host name (a
    DNS answer changed between the check and the connection cannot redirect us)."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(*, url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST once, to an address checked again now; no redirect is followed (a 3xx is an
    answer like another). Returns the status and the start of the answer."""
    addresses = check_target_url(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        conn = _PinnedHTTPSConnection(
            parts.hostname,
            addresses[0],
            port=parts.port or 443,
            timeout=TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    else:
        conn = _PinnedHTTPConnection(
            parts.hostname, addresses[0], port=parts.port or 80, timeout=TIMEOUT_SECONDS
        )
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(RESPONSE_KEPT_BYTES).decode("utf-8", errors="replace")
        return response.status, excerpt
    finally:
        conn.close()


def _claim(delivery_id=None) -> WebhookDelivery | None:
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=clock.now()
    ).order_by("next_attempt_at", "pk")
    if delivery_id is not None:
        due = due.filter(pk=delivery_id)
    delivery = (
        due.select_related("endpoint", "event")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )
    if delivery is not None:
        delivery.attempts += 1
        if not db_connection.features.has_select_for_update:
            delivery.save(update_fields=["attempts"])  # SQLite: take the write lock first
    return delivery


def _send(delivery: WebhookDelivery) -> None:
    body = payload_of(delivery.event)
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "EspaceBailleur-Webhooks/1",
        "Webhook-Id": str(delivery.event_id),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": rules.webhook_signature(
            secret=signing_secret(delivery.endpoint), timestamp=timestamp, body=body
        ),
    }
    status, excerpt = post(url=delivery.endpoint.url, body=body, headers=headers)
    delivery.response_status = status
    delivery.response_excerpt = excerpt
    if not 200 <= status < 300:
        raise ConnectionError(f"HTTP {status}")


def deliver_one(delivery_id=None) -> WebhookDelivery | None:
    """Claim one due delivery (this one, or the oldest), send it, record the outcome."""
    with transaction.atomic():
        delivery = _claim(delivery_id)
        if delivery is None:
            return None
        now = clock.now()
        try:
            _send(delivery)
        except (OSError, TargetRefused, ValueError) as error:
            message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
            delivery.last_error = message[:300]
            if outbox_rules.gives_up(queued_at=delivery.queued_at, now=now):
                delivery.status = WebhookDelivery.Status.FAILED
            else:
                delivery.next_attempt_at = now + outbox_rules.retry_delay(
                    attempts=delivery.attempts
                )
                when, pk = delivery.next_attempt_at, delivery.pk
                transaction.on_commit(lambda: _enqueue([pk], run_after=when))
        else:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
        delivery.save()
        log.info(
            "webhook_delivery id=%s status=%s attempts=%s",
            delivery.pk,
            delivery.status,
            delivery.attempts,
        )
        return delivery


def deliver_due(*, limit: int = 10_000) -> dict[str, int]:
    """Deliver every due webhook, one transaction each (the sweep: manage.py deliver_webhooks)."""
    counts = {"delivered": 0, "pending": 0, "failed": 0}
    for _ in range(limit):
        delivery = deliver_one()
        if delivery is None:
            break
        counts[delivery.status] += 1
    return counts
