"""Mail never waits behind file work (finding 3): real workers, one per queue, as `make run`
starts them; big files keep the files worker busy while an e-mail asked for at the same moment
is delivered."""

import os
import subprocess
import sys
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portail.correspondence.models import Message
from portail.correspondence.services import queue_message
from portail.rents import bulk
from portail.rents.models import BulkImport
from tests.correspondence.conftest import REPO, database_url

from .conftest import TODAY
from .helpers import make_world

pytestmark = pytest.mark.django_db(transaction=True)


def _worker(queue: str, *, smtp, settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": smtp.url,
        "LETTER_SPOOL_DIR": str(settings.LETTER_SPOOL_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "db_worker", "--queue-name", queue],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.ready = threading.Event()

    def drain():  # read its log (never let the pipe fill up) and see it start
        for line in process.stderr:
            if "Starting worker" in line:
                process.ready.set()

    threading.Thread(target=drain, daemon=True).start()
    return process


def test_an_email_arrives_within_30_s_while_big_files_are_checked(smtp_server, settings):
    assert TODAY  # the rents tests' day: the 2026 campaign is open
    world = make_world(email="marie@example.org")
    workers = [_worker(queue, smtp=smtp_server, settings=settings) for queue in ("files", "mail")]
    try:
        for worker in workers:  # Django's set-up takes a while on a busy machine
            assert worker.ready.wait(timeout=180), "a worker did not start"
        # Five files of 100,000 lines each (the limit), queued for the files worker ...
        lines = "".join(f"{9000000 + n};650,00\n" for n in range(100_000)).encode()
        for number in range(5):
            upload = SimpleUploadedFile(f"loyers-{number}.csv", lines)
            bulk.deposit_and_check_bulk_import(
                user=world.user, portfolio=world.portfolio, upload=upload
            )
        # ... and, at the same moment, an e-mail.
        asked = time.monotonic()
        queue_message(
            user=world.user,
            kind="notice",
            channel=Message.Channel.EMAIL,
            template="notice",
            context={"title": "Votre identifiant", "paragraphs": ["Bonjour."]},
        )
        while not smtp_server.messages and time.monotonic() - asked < 60:
            time.sleep(0.1)
        waited = time.monotonic() - asked
        checking = BulkImport.objects.filter(status=BulkImport.Status.CHECKING).count()
        print(
            f"e-mail delivered {waited:.1f} s after it was asked; {checking} file(s) still checked"
        )
        assert smtp_server.messages, "the e-mail never arrived"
        assert waited < 30, f"the e-mail arrived after {waited:.1f} s"
        # The files were still being checked, or done: in any case by the other worker.
        assert BulkImport.objects.count() == 5
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(timeout=10)
