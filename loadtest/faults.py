"""Faults during the load, each measured: PostgreSQL restarted, Redis stopped 30 s, a worker
killed with SIGKILL, the SMTP server down 60 s. Only private services are touched: the
PostgreSQL cluster of loadtest/services.py, a redis-server and an SMTP sink started here.

    .venv/bin/python -m loadtest.faults [--fault postgres,redis,worker,smtp] [--users 8]
        [--database-url postgres://postgres@127.0.0.1:5440/svc_load] [--pg-dir /tmp/svc-pg]
        [--redis-port 6390] [--smtp-port 2525] [--proxy-port 8480]

For each fault, on one running stack: the mix at a steady rate for BEFORE seconds, plus a batch
of e-mails queued; the fault; AFTER seconds more. It prints the failed requests before, inside
and after the outage window (and whether each was the French 503 page, or showed a trace),
how long after the outage the last request failed and the outbox was empty again, and the
checks: every
acknowledged declaration exists once, every e-mail received once and marked sent.
"""

import json
import subprocess
import time
from pathlib import Path

from loadtest import cluster
from loadtest.run import (
    MIX,
    Stack,
    check_acknowledgements,
    check_messages,
    locust_command,
    parse_args,
    read_stats,
    setup_django,
)

BEFORE, AFTER = 20, 45
NOTICES = 600


def queue_notices(stack: Stack, count: int) -> None:
    """A batch of e-mails in the outbox, as an event queues them (one per landlord)."""
    code = (
        "from django.db import transaction\n"
        "from portail.accounts.models import User\n"
        "from portail.correspondence.services import queue_message\n"
        "import random\n"
        "with transaction.atomic():\n"
        f"    for user in User.objects.filter(pk__in=random.sample(range(21, 99000), {count})):\n"
        "        queue_message(user=user, kind='notice', channel='email', template='notice',\n"
        "            context={'title': 'Essai de panne', 'paragraphs': ['Bonjour.']})\n"
    )
    subprocess.run(
        [cluster.PYTHON, "manage.py", "shell", "-c", code],
        cwd=cluster.REPO,
        env=stack.env,
        check=True,
    )


def inject(stack: Stack, fault: str, postgres: cluster.PrivatePostgres) -> tuple[float, float]:
    """Cause the fault; (start, end) of the outage, as times."""
    start = time.time()
    if fault == "postgres":
        postgres.restart()
    elif fault == "redis":
        stack.processes.stop("redis")
        time.sleep(30)
        end = time.time()
        stack.start_redis()
        return start, end
    elif fault == "worker":
        # The supervisor (as in scripts/serve.sh) starts the worker again 2 s later.
        for name in [n for n in stack.processes.started if n.startswith("worker-")][:1]:
            cluster.kill_supervised_child(stack.processes, name)
    elif fault == "smtp":
        stack.processes.stop("smtp")
        time.sleep(60)
        end = time.time()
        stack.start_smtp()
        return start, end
    return start, time.time()


def drain_seconds(since: float, timeout: float = 300) -> float | None:
    """Seconds from `since` until the outbox has nothing due left (None: not within timeout)."""
    from django.db import close_old_connections

    from portail.correspondence.models import Message

    deadline = time.time() + timeout
    while time.time() < deadline:
        close_old_connections()
        try:
            if not Message.objects.filter(status=Message.Status.QUEUED).exists():
                return time.time() - since
        except Exception:  # noqa: S110 - the database may still be restarting
            pass
        time.sleep(2)
    return None


def run_fault(stack: Stack, fault: str, postgres, users: int, since) -> list[str]:
    """One fault under load; since: the start of the whole run (the sink's file covers it)."""
    failures = stack.directory / f"{fault}.failures.jsonl"
    window = {"postgres": 10, "redis": 30, "worker": 2, "smtp": 60}[fault]
    seconds = BEFORE + window + AFTER
    command, env, _ = locust_command(
        stack,
        name=f"fault-{fault}",
        classes=MIX,
        users=users,
        seconds=seconds,
        rate=0.15,
        max_requests=10**6,
        failures=failures,
    )
    with open(stack.directory / f"fault-{fault}.locust.log", "wb") as log:
        locust = subprocess.Popen(
            command, cwd=cluster.REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        time.sleep(BEFORE - 8)
        queue_notices(stack, NOTICES)
        time.sleep(3)
        start, end = inject(stack, fault, postgres)
        locust.wait(timeout=seconds + 180)
    mail_recovery = drain_seconds(end)
    lines = (
        [json.loads(line) for line in failures.read_text().splitlines()]
        if (failures.exists())
        else []
    )
    inside = [f for f in lines if start <= f["at"]]
    before = [f for f in lines if f["at"] < start]
    last_error = max((f["at"] for f in inside), default=None)
    stack.stop_workers()
    count, wrong = check_acknowledgements(stack.directory)
    messages = check_messages(stack.received, since)
    for queue in stack.queues():
        stack.start_worker(queue)
    cluster.start_sweep(stack.processes, "sweep", env=stack.env, every=10)
    stats_file = stack.directory / f"fault-{fault}_stats.csv"
    total = read_stats(stats_file)["Aggregated"]["Request Count"] if stats_file.exists() else 0
    return [
        f"== {fault}: outage {end - start:.1f} s",
        f"   failed requests: before {len(before)}, from the outage on {len(inside)} "
        f"(503 French page {sum(f['french_503'] for f in inside)}, with a trace "
        f"{sum(f['trace'] for f in lines)}, statuses "
        f"{sorted({f['status'] for f in inside})}); requests in all: {total}",
        "   last failed request "
        + (f"{last_error - end:+.1f} s after the outage ended" if last_error else ": none"),
        "   outbox empty again "
        + (
            f"{mail_recovery:.0f} s after the outage ended"
            if mail_recovery is not None
            else "NOT within 5 minutes"
        ),
        f"   acknowledged declarations: {count}, missing or twice: {len(wrong)}",
        f"   e-mails: {messages}",
    ]


def main() -> None:
    import sys

    argv = sys.argv[1:]
    faults = ["postgres", "redis", "worker", "smtp"]
    if "--fault" in argv:
        index = argv.index("--fault")
        faults = argv[index + 1].split(",")
        del argv[index : index + 2]
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.utils import timezone

    directory = cluster.REPO / "var" / "load" / time.strftime("faults-%Y%m%d-%H%M%S")
    directory.mkdir(parents=True)
    port = int(args.database_url.rsplit(":", 1)[1].split("/")[0])
    postgres = cluster.PrivatePostgres(Path(args.pg_dir), port)
    stack = Stack(args, directory)
    report = [f"faults {directory.name}, {args.users} users at a steady rate"]
    since = timezone.now()
    try:
        stack.start()
        for fault in faults:
            report += run_fault(stack, fault, postgres, args.users, since)
            print("\n".join(report[-6:]), flush=True)
    finally:
        stack.processes.stop_all()
    (directory / "report.txt").write_text("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
