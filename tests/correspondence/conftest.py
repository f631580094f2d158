"""Worker processes started by correspondence tests, on the test database and SMTP server."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.smtp import SmtpServer

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the test database, for worker processes started by a test."""
    data = connection.settings_dict
    if data["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{data['NAME']}"
    user = data.get("USER") or "postgres"
    auth = f"{user}:{data['PASSWORD']}" if data.get("PASSWORD") else user
    return f"postgres://{auth}@{data['HOST'] or '127.0.0.1'}:{data['PORT'] or 5432}/{data['NAME']}"


def start_worker(*, smtp: SmtpServer, settings, args=("deliver_outbox",)) -> subprocess.Popen:
    """A real worker process on the test database and the test SMTP server."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": smtp.url,
        "LETTER_SPOOL_DIR": str(settings.LETTER_SPOOL_DIR),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
