"""A message the SMTP server accepted while the database was going away.

The outbox marks a message sent in the transaction that claimed it, after the SMTP server said
"250". If the database dies in between (a restart), that transaction is lost and the message
would be sent again by the next worker; the worker that sent it still knows, so it records it
as soon as the database answers (docs/performance.md, "Faults during the load").
"""

import contextlib
import logging
import time

from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection

from portail.common import clock

from .models import Message

logger = logging.getLogger("portail.correspondence.services")

# How long a worker keeps trying to record a message the SMTP server took.
RECORD_AFTER_OUTAGE_SECONDS = 60


def record_sent_after_outage(message: Message) -> None:
    """The SMTP server took the message, then the database went away before the commit (a
    restart): mark it sent as soon as the database answers, before a worker sends it again.
    Not for a message carrying a password or code: that secret was rolled back with the
    transaction, so the message must go again with a new one."""
    deadline = time.monotonic() + RECORD_AFTER_OUTAGE_SECONDS
    while True:
        with contextlib.suppress(Exception):  # the broken connection is replaced
            db_connection.close()
        try:
            Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(
                status=Message.Status.SENT,
                sent_at=clock.now(),
                last_error="",
                attempts=message.attempts,
                body_text=message.body_text,
                body_html=message.body_html,
            )
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
        else:
            logger.warning("message_sent_recorded_after_outage id=%s", message.pk)
            return
