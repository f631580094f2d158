"""A local SMTP sink for development: every e-mail received is kept in a Maildir.

``make run`` starts it; the development mailbox page (/dev/courriers/) reads the Maildir.
"""

import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from django.conf import settings
from django.core.management.base import BaseCommand

from portail.correspondence.devmailbox import ensure_maildir


class Command(BaseCommand):
    help = "Receive e-mails on a local SMTP port and keep them in DEV_MAILBOX_DIR (Maildir)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1025)

    def handle(self, *args, host, port, **options):
        directory = Path(settings.DEV_MAILBOX_DIR)
        ensure_maildir(directory)
        controller = Controller(Mailbox(directory), hostname=host, port=port)
        controller.start()
        self.stdout.write(f"SMTP sink on {host}:{port}, mailbox {directory}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
