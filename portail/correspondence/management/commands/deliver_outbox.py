"""Sweep the outbox: deliver every due message (retries happen even if a task was lost).

With --loop it outlives a database outage (PostgreSQL restarting): the sweep is skipped with
one log line and tried again at the next interval; nothing is claimed while the database is
away, so nothing is lost or sent twice.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from portail.correspondence.services import deliver_due_messages

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver the due e-mails and letters of the outbox, then exit (or repeat with --loop)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=float, metavar="SECONDS", help="Sweep again every SECONDS, forever."
        )
        parser.add_argument("--limit", type=int, help="Deliver at most this many per sweep.")

    def handle(self, *args, loop=None, limit=None, **options):
        while True:
            try:
                counts = deliver_due_messages(limit=limit)
            except (OperationalError, InterfaceError) as error:
                if loop is None:
                    raise
                logger.warning("outbox_sweep_skipped error=%s", type(error).__name__)
                connection.close()
                time.sleep(loop)
                continue
            finally:
                close_old_connections()
            if options["verbosity"] > 0 and (loop is None or any(counts.values())):
                self.stdout.write(
                    f"sent={counts['sent']} retry_later={counts['queued']} "
                    f"failed={counts['failed']}"
                )
            if loop is None:
                return
            time.sleep(loop)
