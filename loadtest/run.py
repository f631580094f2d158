"""The campaign-opening load test: starts the portal's processes on loopback, drives them with
locust (headless, bounded in time and requests), checks that nothing was lost, prints a report.

    .venv/bin/python -m loadtest.run [--database-url postgres://postgres@127.0.0.1:5440/svc_load]
        [--redis-port 6390] [--smtp-port 2525] [--proxy-port 8480] [--users 24]
        [--saturation-seconds 60] [--seconds 120] [--signin-seconds 40] [--reminders]

1. Saturation: the mix, every user as fast as it can, gives the saturation throughput X.
2. Measure: the mix at 0.7 X (each user at a constant rate), while the worker sends the campaign
   reminders (one per landlord) to the SMTP sink; p50/p95/p99 per page, errors.
3. Sign-ins: users only sign out and in again, against the Argon2 limit measured in this run
   (cores / one verification's time).
4. Checks: every acknowledged declaration exists once; every e-mail received once, each one a
   message the outbox marked sent.
The database is made by loadtest/dataset.py; loadtest/README.md tells the whole procedure.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from loadtest import cluster
from loadtest import signins as signins_phase

MIX = ["Landlord", "BigLandlord", "LostPassword", "Agent"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5440/svc_load")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--smtp-port", type=int, default=2525)
    parser.add_argument("--proxy-port", type=int, default=8480)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes per node")
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--saturation-seconds", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument(
        "--signin-seconds", type=int, default=30, help="each window of phase 3 (3 windows)"
    )
    parser.add_argument("--signin-users", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=150_000)
    parser.add_argument("--reminders", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--pg-dir",
        default=str(Path(tempfile.gettempdir()) / "svc-pg"),
        help="data directory of the private cluster (its CPU is counted)",
    )
    parser.add_argument("--landlords", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=20)
    return parser.parse_args(argv)


def setup_django(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, DEBUG="false", LOG_LEVEL="WARNING")
    os.environ.setdefault("SECRET_KEY", "load-" + os.urandom(8).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def argon2_seconds(samples: int = 15) -> float:
    """The median CPU time of one sign-in's password verification (process time: what it
    costs a core, however busy the machine)."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password("Mesure-Argon2-2026")
    times = []
    for _ in range(samples):
        start = time.process_time()
        check_password("Mesure-Argon2-2026", encoded)
        times.append(time.process_time() - start)
    return sorted(times)[len(times) // 2]


class Stack:
    """The portal's processes on loopback: Redis, SMTP sink, web nodes, workers, sweep, nginx."""

    def __init__(self, args, directory: Path):
        self.args = args
        self.directory = directory
        self.processes = cluster.Processes(directory)
        self.received = directory / "received.txt"
        self.web_ports = [cluster.free_port() for _ in range(args.nodes)]
        self.env = cluster.portal_env(
            database_url=args.database_url,
            cache_url=f"redis://127.0.0.1:{args.redis_port}/0",
            email_url=f"smtp://127.0.0.1:{args.smtp_port}",
            LETTER_SPOOL_DIR=str(directory / "spool"),
            MEDIA_ROOT=str(cluster.REPO / "var" / "load" / "media"),
            LOG_LEVEL="WARNING",
            EMAIL_TIMEOUT="5",
        )

    def start(self) -> None:
        self.start_redis()
        self.start_smtp()
        for n, port in enumerate(self.web_ports):
            cluster.start_web(
                self.processes,
                f"web-{n}",
                port=port,
                env=self.env,
                workers=self.args.web_workers,
                wait=False,
            )
        for n, port in enumerate(self.web_ports):
            cluster.wait_web(f"web-{n}", port=port, processes=self.processes)
        for queue in self.queues():
            self.start_worker(queue)
        cluster.start_sweep(self.processes, "sweep", env=self.env, every=10)
        cluster.start_nginx(
            self.processes, "nginx", port=self.args.proxy_port, upstream_ports=self.web_ports
        )

    def queues(self) -> list[str]:
        from django.conf import settings

        return list(settings.TASKS["default"].get("QUEUES") or ["default"])

    def start_worker(self, queue: str) -> None:
        cluster.start_worker(
            self.processes, f"worker-{queue}", env=self.env, queue=queue, interval=1.0
        )

    def start_redis(self) -> None:
        cluster.start_redis(self.processes, "redis", port=self.args.redis_port)

    def start_smtp(self) -> None:
        self.processes.start(
            "smtp",
            [
                cluster.PYTHON,
                "-m",
                "loadtest.smtp_sink",
                "--port",
                str(self.args.smtp_port),
                "--log",
                str(self.received),
            ],
        )
        cluster.wait_until(
            lambda: cluster.port_open(self.args.smtp_port), timeout=15, what="SMTP sink"
        )

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the web nodes, PostgreSQL, and the rest of the stack."""
        started = self.processes.started
        web = [p.pid for name, p in started.items() if name.startswith("web-")]
        rest = [p.pid for name, p in started.items() if not name.startswith("web-")]
        postgres = cluster.PrivatePostgres(Path(self.args.pg_dir), 0)
        try:
            database = cluster.tree_cpu_seconds([postgres.postmaster_pid()])
        except OSError:
            database = 0.0
        return {
            "web": cluster.tree_cpu_seconds(web),
            "database": database,
            "workers, redis, nginx, sink": cluster.tree_cpu_seconds(rest),
        }

    def stop_workers(self) -> None:
        """Stop the workers and the sweep (TERM: each finishes the message in hand)."""
        for name in list(self.processes.started):
            if name.startswith("worker-") or name == "sweep":
                self.processes.stop(name, grace=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.args.proxy_port}"


def run_locust(stack: Stack, **options) -> dict:
    """One headless locust run against the proxy; its per-page statistics, and under "cpu"
    the CPU milliseconds the portal's processes spent per request."""
    before = stack.cpu()
    stats = _locust(stack, **options)
    after = stack.cpu()
    requests = max(int(stats["Aggregated"]["Request Count"]), 1)
    stats["cpu"] = {part: (after[part] - before[part]) * 1000 / requests for part in after}
    generator = stack.directory / f"{options['name']}.generator-cpu"
    if generator.exists():  # the load generator's own CPU: on the portal's cores here
        stats["generator_cpu"] = float(generator.read_text()) * 1000 / requests
    return stats


def _locust(stack: Stack, **options) -> dict:
    command, env, prefix = locust_command(stack, **options)
    with open(stack.directory / f"{options['name']}.locust.log", "wb") as log:
        subprocess.run(
            command,
            cwd=cluster.REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=options["seconds"] + 120,
        )
    stats = read_stats(Path(f"{prefix}_stats.csv"))
    with open(f"{prefix}_exceptions.csv") as handle:
        stats["exceptions"] = sum(int(row["Count"]) for row in csv.DictReader(handle))
    return stats


def locust_command(
    stack: Stack,
    *,
    name: str,
    classes: list[str],
    users: int,
    seconds: int,
    rate: float | None,
    max_requests: int,
    failures: Path | None = None,
) -> tuple[list[str], dict, Path]:
    """The command line and environment of one headless locust run against the proxy."""
    prefix = stack.directory / name
    env = {
        **os.environ,
        "LOAD_DATABASE_URL": stack.args.database_url,
        "LOAD_LANDLORDS": str(stack.args.landlords),
        "LOAD_BIG": str(stack.args.big),
        "LOAD_MAX_REQUESTS": str(max_requests),
        "LOAD_ACKS": str(stack.directory / "acks.jsonl"),
        "LOAD_CPU_FILE": str(prefix.with_name(f"{name}.generator-cpu")),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if failures:
        env["LOAD_FAILURES"] = str(failures)
    env.pop("LOAD_USER_RATE", None)
    if rate:
        env["LOAD_USER_RATE"] = f"{rate:.4f}"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        "loadtest/locustfile.py",
        "--headless",
        "--host",
        stack.url,
        "-u",
        str(users),
        "-r",
        str(max(users // 2, 1)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--reset-stats",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    return command, env, prefix


def read_stats(path: Path) -> dict:
    with open(path) as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def check_acknowledgements(directory: Path) -> tuple[int, list]:
    """Every acknowledged declaration exists exactly once (current or superseded version)."""
    from django.db import connection

    path = directory / "acks.jsonl"
    acks = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    wrong = []
    with connection.cursor() as cursor:
        for ack in acks:
            cursor.execute(
                "SELECT (SELECT count(*) FROM rents_julyrent WHERE submission_id = %(s)s "
                "AND tenancy_id = %(t)s AND year = 2026) + (SELECT count(*) FROM "
                "rents_rentdeclaration WHERE submission_id = %(s)s AND tenancy_id = %(t)s "
                "AND year = 2026)",
                {"s": ack["submission"], "t": ack["tenancy"]},
            )
            if cursor.fetchone()[0] != 1:
                wrong.append(ack)
    return len(acks), wrong


def check_messages(received_file: Path, since) -> dict:
    """E-mails received once each, and exactly the messages the outbox marked sent."""
    from portail.correspondence.models import Message

    lines = received_file.read_text().split() if received_file.exists() else []
    received = Counter(lines)
    ids = {int(m.split("@")[0].removeprefix("<courrier-")) for m in received if "courrier-" in m}
    sent = set(
        Message.objects.filter(
            status=Message.Status.SENT, sent_at__gte=since, channel=Message.Channel.EMAIL
        ).values_list("pk", flat=True)
    )
    return {
        "received": len(lines),
        "distinct": len(received),
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
        "sent_not_received": len(sent - ids),
        "received_not_marked_sent": len(ids - sent),
        "still_queued": Message.objects.filter(status=Message.Status.QUEUED).count(),
    }


def start_reminders(stack: Stack) -> None:
    """The campaign's reminders, as the back office's button queues them (background task)."""
    code = (
        "from portail.accounts.models import User\n"
        "from portail.backoffice.tasks import send_reminders_task\n"
        "agent = User.objects.get(identifier='agent.charge1')\n"
        "send_reminders_task.enqueue(2026, agent.pk, None)\n"
    )
    subprocess.run(
        [cluster.PYTHON, "manage.py", "shell", "-c", code],
        cwd=cluster.REPO,
        env=stack.env,
        check=True,
    )


def calibrated_rate(stack: Stack, *, peak: float, share: float) -> tuple[float, dict]:
    """Tasks per second per user that give `share` of the saturation throughput: a first guess
    (a task is about 3.2 requests), a 20-second run at that pace, then the pace scaled by what
    that run reached (the users' classes do not make the same number of requests a task)."""
    users = stack.args.users
    guess = share * peak / users / 3.2
    trial = run_locust(
        stack,
        name="calibration",
        classes=MIX,
        users=users,
        seconds=20,
        rate=guess,
        max_requests=stack.args.max_requests,
    )
    reached = float(trial["Aggregated"]["Requests/s"])
    calibrated = guess * share * peak / reached if reached else guess
    return calibrated, trial


def background_line(path: Path) -> list[str]:
    """The mix that ran behind phase 3: its requests, errors and latencies."""
    if not path.exists():
        return ["   the mix meanwhile: no statistics (locust was stopped before writing them)"]
    total = read_stats(path)["Aggregated"]
    return [
        f"   the mix meanwhile: {total['Request Count']} requests, {total['Failure Count']} "
        f"errors, p50/p95/p99 {total['50%']}/{total['95%']}/{total['99%']} ms"
    ]


def page_table(stats: dict) -> list[str]:
    cores = os.cpu_count() or 1
    lines = [
        f"{'page':<28}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)"
    ]
    for name, row in sorted(stats.items()):
        if name in ("Aggregated", "cpu", "generator_cpu", "exceptions"):
            continue
        lines.append(
            f"{name:<28}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    total = stats["Aggregated"]
    lines.append(
        f"{'all pages':<28}{total['Request Count']:>9}{total['Failure Count']:>8}"
        f"{float(total['Requests/s']):>8.1f}{total['50%']:>7}{total['95%']:>7}{total['99%']:>7}"
    )
    lines.append(f"exceptions in the load test's own code: {stats['exceptions']}")
    lines.append(f"requests/s per core ({cores} cores): {float(total['Requests/s']) / cores:.1f}")
    cpu = stats.get("cpu")
    if cpu:
        lines.append(
            "CPU ms per request: "
            + ", ".join(f"{part} {value:.1f}" for part, value in cpu.items())
            + f"; total {sum(cpu.values()):.1f} -> {1000 / max(sum(cpu.values()), 0.001):.0f}"
            " requests/s per core if the machine ran nothing else"
        )
    if "generator_cpu" in stats:
        lines.append(
            f"the load generator (locust, on the same cores): {stats['generator_cpu']:.1f} ms"
            " of CPU a request"
        )
    return lines


def main(argv=None) -> None:
    args = parse_args(argv)
    for url in (args.database_url,):
        assert "127.0.0.1" in url or "localhost" in url, "the load test runs on loopback only"
    setup_django(args.database_url)
    from django.utils import timezone

    directory = cluster.REPO / "var" / "load" / time.strftime("run-%Y%m%d-%H%M%S")
    directory.mkdir(parents=True)
    stack = Stack(args, directory)
    since = timezone.now()
    try:
        stack.start()
        argon2 = argon2_seconds()
        cores = os.cpu_count() or 1
        report = [
            f"load test {directory.name}: {args.nodes} nodes x {args.web_workers} "
            f"gunicorn processes, {cores} cores, {args.users} users, {args.database_url}"
        ]
        saturation = run_locust(
            stack,
            name="saturation",
            classes=MIX,
            users=args.users,
            seconds=args.saturation_seconds,
            rate=None,
            max_requests=args.max_requests,
        )
        peak = float(saturation["Aggregated"]["Requests/s"])
        report += [
            "",
            f"1. saturation: {peak:.1f} requests/s ({peak / cores:.1f} per core)",
            *page_table(saturation),
        ]
        if args.reminders:
            start_reminders(stack)
        rate, trial = calibrated_rate(stack, peak=peak, share=0.7)
        report += [
            f"   calibration (20 s): {trial['Aggregated']['Request Count']} requests, "
            f"{trial['Aggregated']['Failure Count']} errors"
        ]
        measured = run_locust(
            stack,
            name="measured",
            classes=MIX,
            users=args.users,
            seconds=args.seconds,
            rate=rate,
            max_requests=args.max_requests,
        )
        load = float(measured["Aggregated"]["Requests/s"])
        report += [
            "",
            f"2. at {load:.1f} requests/s = {load / peak:.2f} of saturation"
            + (", reminders going out:" if args.reminders else ":"),
            *page_table(measured),
        ]
        phase = signins_phase.measure(
            stack,
            run_locust,
            locust_command,
            mix=MIX,
            rate=rate,
            window=args.signin_seconds,
        )
        signins, limits = phase["stats"], phase["limits"]
        per_second = float(signins.get("sign-in", {}).get("Requests/s", 0))
        limit = sum(limits) / len(limits)
        report += [
            "",
            f"3. sign-ins while the mix runs ({rate * args.users:.2f} tasks/s): "
            f"{per_second:.1f}/s; Argon2 limit {limit:.1f}/s (verifications/s of "
            f"{args.nodes * args.web_workers} processes: {limits[0]:.1f} before, "
            f"{limits[1]:.1f} after): {per_second / max(limit, 0.001):.2f} x (target 0.8); "
            f"load average {', '.join(f'{v:.1f}' for v in phase['loads'])}",
            f"   in CPU: a sign-in (page and form) adds {phase['cpu'] * 1000:.0f} ms of web "
            f"and database CPU to the mix's; one verification took {phase['argon2_cpu'] * 1000:.0f}"
            f" ms of CPU in the limit's runs ({argon2 * 1000:.0f} ms before the load): "
            f"{phase['argon2_cpu'] / max(phase['cpu'], 0.001):.2f} x in CPU terms",
            *page_table(signins),
            *background_line(stack.directory / "signin-mix_stats.csv"),
        ]
        stack.stop_workers()
        count, wrong = check_acknowledgements(directory)
        messages = check_messages(stack.received, since)
        report += [
            "",
            f"4. acknowledged declarations: {count}, missing or twice: {len(wrong)}",
            f"   e-mails: {messages}",
        ]
        text = "\n".join(report)
        print(text)
        (directory / "report.txt").write_text(text + "\n")
    finally:
        stack.processes.stop_all()


if __name__ == "__main__":
    main()
