"""Deliver the due webhooks and purge idempotency keys past their 24 hours; ``--loop N``
repeats every N seconds (the sweep behind the worker's per-delivery tasks)."""

import time

from django.core.management.base import BaseCommand

from portail.api import services, webhooks


class Command(BaseCommand):
    help = "Deliver due webhooks (retries included) and purge expired idempotency keys."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, loop: int, **options):
        while True:
            counts = webhooks.deliver_due()
            purged = services.purge_idempotency_keys()
            self.stdout.write(
                "webhooks delivered={delivered} pending={pending} failed={failed}".format(**counts)
                + f" idempotency_keys_purged={purged}"
            )
            if not loop:
                return
            time.sleep(loop)
