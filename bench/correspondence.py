"""Benchmark: e-mails delivered per second to a local SMTP server, letters rendered per second.

    .venv/bin/python bench/correspondence.py [--emails 500] [--letters 60] [--database-url URL]

E-mails go through the real path (outbox rows, `manage.py deliver_outbox` worker processes, SMTP
to an aiosmtpd sink on loopback), with 1 and with 2 workers; the reference, measured in the same
run, is raw smtplib sending the same number of ready-made messages on one connection. Letters
(target: at least 10 a second on 2 cores) are rendered and spooled by the same workers; their
reference is WeasyPrint writing a minimal one-paragraph page. Rates are taken between the first
and the last `sent_at`, so process start-up is not counted; nor is it in a worker's CPU time per
e-mail (every thread, from the start of the command, once Django is loaded).
Several workers need PostgreSQL
(`--database-url postgres://postgres@127.0.0.1:5432/bench_correspondence`, created if missing);
on SQLite, the single writer serialises them.
"""

import argparse
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Sink:
    """Counts what the SMTP server receives."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


# A worker: `manage.py deliver_outbox`, its CPU time (process_time: every thread) counted from
# the start of the command, once Django and the outbox's modules are loaded; printed last.
WORKER = """
import time
import django
django.setup()
from django.core.management import execute_from_command_line
import portail.correspondence.batches
start = time.process_time()
execute_from_command_line(["manage.py", "deliver_outbox"])
print(time.process_time() - start)
"""

# The reference sender: smtplib alone, one connection, the ready e-mails; prints e-mails/s and
# its CPU seconds per e-mail.
RAW_SMTPLIB = """
import pickle, smtplib, sys, time
ready = pickle.loads(open(sys.argv[1], "rb").read())
start, cpu = time.perf_counter(), time.process_time()
with smtplib.SMTP("127.0.0.1", int(sys.argv[2])) as client:
    for sender, recipient, data in ready:
        client.sendmail(sender, [recipient], data)
print(len(ready) / (time.perf_counter() - start), (time.process_time() - cpu) / len(ready))
"""


def _rendered_email(user, shown: dict, n: int) -> tuple[str, str, bytes]:
    """The outbox's n-th benchmark e-mail as bytes, rendered as its worker renders it."""
    from django.core.mail import EmailMultiAlternatives

    from portail.correspondence import rendering, services
    from portail.correspondence.models import Message

    message = Message(
        pk=n + 1,
        kind="notice",
        channel=Message.Channel.EMAIL,
        recipient=user,
        template="notice",
        context={**shown, "title": f"Message {n}", "paragraphs": ["Bonjour."] * 5},
        subject=f"Message {n}",
        email=user.email,
    )
    sent = rendering.render_email(
        message=message, context=rendering.message_context(message=message)
    )
    email = EmailMultiAlternatives(
        subject=sent.subject,
        body=sent.text,
        from_email=services._sender(),
        to=[message.email],
        headers={"Message-ID": f"<courrier-{n}@bench>"},
    )
    email.attach_alternative(sent.html, "text/html")
    return services._sender(), message.email, email.message().as_bytes(linesep="\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--letters", type=int, default=60)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-correspondence-"))
    database_url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    if database_url.startswith("postgres"):
        _ensure_postgres_database(database_url)
    port = _free_port()
    os.environ.update(
        DATABASE_URL=database_url,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        LETTER_SPOOL_DIR=str(work / "spool"),
        LOG_LEVEL="WARNING",
        DEBUG="false",  # production mode: cached templates, as the worker runs under make serve
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection
    from weasyprint import HTML

    from portail.correspondence.models import Message
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    Message.objects.all().delete()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    cores = os.cpu_count()
    print(f"database: {connection.vendor}, {cores} CPU(s)")

    from portail.accounts.models import User
    from portail.correspondence.registry import describe_recipient

    user = User.objects.filter(email="bench@example.org").first() or UserFactory(
        email="bench@example.org"
    )
    # What queue_message keeps on every row: the recipient as its messages show it.
    shown = describe_recipient(user).details

    # Reference: raw smtplib on one connection sending the same e-mails, rendered beforehand
    # (the outbox's notice, text and HTML, as its worker builds it), so only the SMTP remains.
    # It runs in a process of its own, as the workers do: the sink is in this one.
    ready = work / "ready.pickle"
    ready.write_bytes(pickle.dumps([_rendered_email(user, shown, n) for n in range(args.emails)]))
    smtp_rate, smtp_cpu = map(
        float,
        subprocess.run(
            [sys.executable, "-c", RAW_SMTPLIB, str(ready), str(port)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split(),
    )
    print(
        f"reference, raw smtplib sends        : {smtp_rate:8.1f} e-mails/s"
        f"  (CPU {smtp_cpu * 1000:.2f} ms/e-mail)"
    )

    def queue(count: int, channel: str) -> None:
        Message.objects.bulk_create(
            Message(
                kind="notice",
                channel=channel,
                recipient=user,
                template="notice",
                context={**shown, "title": f"Message {n}", "paragraphs": ["Bonjour."] * 5},
                subject=f"Message {n}",
                email=user.email,
                address=["Bailleur Bench", "12 rue des Lilas", "84000 Avignon"],
            )
            for n in range(count)
        )

    def run_workers(workers: int) -> float:
        """Run the sweep in ``workers`` processes; their CPU time (all threads) in the sweep."""
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        cpu = 0.0
        for process in processes:
            out, _ = process.communicate()
            assert process.returncode == 0
            cpu += float(out.split()[-1])
        return cpu

    def deliver(workers: int) -> tuple[float, float]:
        """E-mails (or letters) a second, and the workers' CPU time per message."""
        cpu = run_workers(workers)
        sent = Message.objects.filter(status=Message.Status.SENT).order_by("sent_at")
        count = sent.count()
        span = (sent.last().sent_at - sent.first().sent_at).total_seconds()
        Message.objects.all().delete()
        return (count - 1) / span, cpu / count

    for workers in (1, 2):
        queue(args.emails, Message.Channel.EMAIL)
        rate, cpu = deliver(workers)
        print(
            f"outbox e-mails, {workers} worker(s)          : {rate:8.1f} e-mails/s"
            f"  = {rate / smtp_rate:.3f} x raw smtplib, worker CPU {cpu * 1000:.2f} ms/e-mail"
        )

    start = time.perf_counter()
    for _ in range(20):
        HTML(string="<p>Bonjour.</p>").write_pdf()
    weasy_rate = 20 / (time.perf_counter() - start)
    print(f"reference, WeasyPrint minimal page  : {weasy_rate:8.1f} PDFs/s")
    for workers in (1, 2) if args.letters else ():
        queue(args.letters, Message.Channel.LETTER)
        rate, _ = deliver(workers)
        print(
            f"letters rendered, {workers} worker(s)        : {rate:8.1f} letters/s"
            f"  = {rate / weasy_rate:.3f} x the minimal page (target 10/s)"
        )
    controller.stop()


if __name__ == "__main__":
    main()
