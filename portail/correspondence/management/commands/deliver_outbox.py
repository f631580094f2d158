"""Sweep the outbox: deliver every due message (retries happen even if a task was lost)."""

import time

from django.core.management.base import BaseCommand

from portail.correspondence.services import deliver_due_messages


class Command(BaseCommand):
    help = "Deliver the due e-mails and letters of the outbox, then exit (or repeat with --loop)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=float, metavar="SECONDS", help="Sweep again every SECONDS, forever."
        )
        parser.add_argument("--limit", type=int, help="Deliver at most this many per sweep.")

    def handle(self, *args, loop=None, limit=None, **options):
        while True:
            counts = deliver_due_messages(limit=limit)
            if options["verbosity"] > 0 and (loop is None or any(counts.values())):
                self.stdout.write(
                    f"sent={counts['sent']} retry_later={counts['queued']} "
                    f"failed={counts['failed']}"
                )
            if loop is None:
                return
            time.sleep(loop)
