"""The sweep's batched delivery: claim many due messages at once, send them over one SMTP
connection, record each as sent as soon as the SMTP server has accepted it.

- **Claim**: one short transaction locks up to ``BATCH_SIZE`` due rows
  (``select_for_update(skip_locked=True)`` on PostgreSQL, so two workers never take the same
  row; SQLite's single writer serialises the claims), counts the attempt and leases them:
  ``next_attempt_at`` moves ``LEASE`` ahead, so no other worker finds them due meanwhile.
- **Send**: each message is rendered and sent on the one connection; right after the server's
  "250" its row is recorded ``sent`` in its own short write (autocommit). Nothing is held open
  during a send, so a worker killed mid-batch leaves every message it recorded ``sent`` (never
  sent again) and the others still ``queued``, due again when the lease ends: the only
  duplicate possible is the one message in flight, accepted but not yet recorded
  (at-least-once).
- A message that carries a temporary password or a code is issued, sent and recorded in one
  transaction, as the one-message path does: a failed send rolls the issue back.
- A failed send (SMTP refusal, server down) schedules that message's retry with the backoff of
  ``rules.retry_delay``; the rest of the batch goes on, on a new connection.
- A batch that has run for half its lease stops and hands its unsent messages back (due now),
  so a lease never ends while its worker is still sending (slow server: 30 s timeouts).
"""

import contextlib
import datetime
import logging
import random
import time

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F

from portail.common import clock

from . import services
from .models import Message
from .outage import record_sent_after_outage

logger = logging.getLogger("portail.correspondence.services")

BATCH_SIZE = 100
LEASE = datetime.timedelta(minutes=5)


def claim_batch(*, size: int = BATCH_SIZE) -> list[Message]:
    """Lease up to ``size`` due messages to this worker (skipping rows another one locks)."""
    now = clock.now()
    with transaction.atomic():
        ids = list(
            services._due_messages()
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
        return list(
            Message.objects.filter(pk__in=ids)
            .select_related("recipient__landlord")
            .order_by("pk")
        )


def deliver_claimed(message: Message, connection) -> None:
    """Send one leased message and record the outcome (``message.status`` says which)."""
    if message.issues_secret_at_delivery:
        try:
            with transaction.atomic():
                services._send(message, connection)
                services._record_sent(message)
        except (OperationalError, InterfaceError):
            raise  # the database, not the send: this sweep stops, the lease brings it back
        except Exception as error:  # SMTP, network, spool: the issue was rolled back
            _failed(message, error, connection)
        return
    try:
        services._send(message, connection)
    except Exception as error:  # SMTP, network, spool: try again later
        _failed(message, error, connection)
        return
    try:
        services._record_sent(message)
    except (OperationalError, InterfaceError):
        record_sent_after_outage(message)  # accepted: record it before anyone sends it again
    message.status = Message.Status.SENT


def _failed(message: Message, error: Exception, connection) -> None:
    services._close_quietly(connection)  # reopened for the next message
    with transaction.atomic():
        services._record_failure(message, error)


def release(messages: list[Message]) -> None:
    """Hand leased, unsent messages back: due now, their attempt not counted."""
    Message.objects.filter(
        pk__in=[message.pk for message in messages], status=Message.Status.QUEUED
    ).update(attempts=F("attempts") - 1, next_attempt_at=clock.now())


def deliver_batch(messages: list[Message], connection, counts: dict[str, int]) -> None:
    """Deliver a claimed batch on one connection, within half its lease."""
    stop_at = time.monotonic() + LEASE.total_seconds() / 2
    for index, message in enumerate(messages):
        if index and time.monotonic() > stop_at:  # the first always goes: the sweep advances
            release(messages[index:])
            return
        if getattr(connection, "connection", True) is None:
            services._open_quietly(connection)
        deliver_claimed(message, connection)
        counts[message.status] += 1


def deliver_due_messages(*, limit: int | None = None) -> dict[str, int]:
    """Deliver every due message of the outbox, in leased batches, on one SMTP connection."""
    counts = {"sent": 0, "queued": 0, "failed": 0}
    connection = services.smtp_connection()
    locked = 0
    try:
        while limit is None or sum(counts.values()) < limit:
            size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - sum(counts.values()))
            try:
                batch = claim_batch(size=size)
            except OperationalError as error:
                if not services._database_locked(error) or locked > services.LOCKED_RETRIES:
                    raise
                locked += 1  # SQLite: another worker holds the write lock; nothing claimed
                time.sleep(random.uniform(0.01, 0.05))  # noqa: S311 - jitter, not a secret
                continue
            locked = 0
            if not batch:
                break
            deliver_batch(batch, connection, counts)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    logger.debug("outbox_sweep %s", counts)
    return counts
