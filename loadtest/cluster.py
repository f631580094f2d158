"""Start the portal's processes on loopback, as `make serve` runs them on each node: gunicorn
web nodes, django-tasks workers, the outbox sweep, nginx from deploy/nginx/, and (for the fault
runs) a private PostgreSQL cluster and Redis server that may be restarted without touching
anyone else's. Used by tests/service/test_two_nodes.py, loadtest/run.py and loadtest/faults.py.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy" / "nginx"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, *, timeout: float, what: str, every: float = 0.2) -> float:
    """Call check() until it is true; the seconds it took. TimeoutError after timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if check():
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(every)
    raise TimeoutError(f"{what} not ready after {timeout} s")


def http_status(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Processes:
    """Every process started, stopped together (TERM, then KILL after a grace period)."""

    directory: Path
    started: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.started[name] = process
        return process

    def signal(self, name: str, signum: int) -> None:
        process = self.started[name]
        if process.poll() is None:
            os.killpg(process.pid, signum)

    def stop(self, name: str, grace: float = 10.0) -> None:
        process = self.started.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.started)):
            self.stop(name)

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _process_table() -> dict[int, tuple[int, float]]:
    """pid: (parent pid, CPU seconds used so far) of every process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return table


def tree_cpu_seconds(roots: list[int]) -> float:
    """CPU seconds used by these processes and all their descendants still running: what the
    portal's own processes cost, whatever else the machine runs at the same time."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo.extend(children.get(pid, []))
    return total


def portal_env(*, database_url: str, cache_url: str, email_url: str, **extra: str) -> dict:
    """The environment of a production node (DEBUG off) on the given services."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "loopback-cluster-key-" + str(os.getpid()),
        "SECURE_COOKIES": "false",
        # Plain HTTP on loopback: no redirect to HTTPS, no HSTS (production has TLS at nginx).
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "EMAIL_URL": email_url,
        "TRUSTED_PROXIES": "127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_web(
    processes: Processes, name: str, *, port: int, env: dict, workers: int = 2, wait: bool = True
):
    """A gunicorn node on 127.0.0.1:port (config/gunicorn.py); wait: until it answers."""
    processes.start(
        name,
        [GUNICORN, "config.wsgi", "-c", str(REPO / "config" / "gunicorn.py")],
        {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
    )
    if wait:
        wait_web(name, port=port, processes=processes)


def wait_web(name: str, *, port: int, processes: Processes | None = None) -> None:
    """Until the node answers /health/ (a busy machine may take a minute to boot it)."""
    try:
        wait_until(
            lambda: http_status(f"http://127.0.0.1:{port}/health/") in (200, 503),
            timeout=180,
            what=f"web node {name}",
        )
    except TimeoutError as error:
        log = processes.log(name)[-2000:] if processes else ""
        raise TimeoutError(f"{error}; its log ends with:\n{log}") from None


def supervised(args: list[str]) -> list[str]:
    """The command run again 2 s after it exits, as scripts/serve.sh (or systemd) does."""
    return ["bash", "-c", 'while true; do "$@"; sleep 2; done', "supervisor", *args]


def background(command: list[str]) -> list[str]:
    """A background process's command at the niceness `make serve` gives it (BACKGROUND_NICE,
    README "Production"): workers and the sweep yield the cores to the pages."""
    return ["nice", "-n", os.environ.get("BACKGROUND_NICE", "10"), *command]


def start_worker(
    processes: Processes, name: str, *, env: dict, queue: str = "default", interval: float = 0.2
):
    """A supervised django-tasks worker for one queue, looking for tasks every `interval` s
    when idle (0.2 s for the tests; `make serve` and the load test: db_worker's 1 s)."""
    command = [PYTHON, "manage.py", "db_worker", "--queue-name", queue, "--no-reload"]
    return processes.start(
        name, supervised(background([*command, "--interval", str(interval)])), env
    )


def start_sweep(processes: Processes, name: str, *, env: dict, every: float = 5.0):
    """The supervised outbox sweep."""
    command = [PYTHON, "manage.py", "deliver_outbox", "--loop", str(every)]
    return processes.start(name, supervised(background(command)), env)


def kill_supervised_child(processes: Processes, name: str) -> int:
    """SIGKILL the program a supervisor runs (not the supervisor); its pid."""
    supervisor = processes.started[name].pid
    children = [pid for pid, (parent, _) in _process_table().items() if parent == supervisor]
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    return children[0] if children else 0


def start_nginx(processes: Processes, name: str, *, port: int, upstream_ports: list[int]):
    """nginx from Debian with deploy/nginx/proxy.conf, in front of the given web nodes."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    directory = processes.directory / name
    directory.mkdir(exist_ok=True)
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in upstream_ports
    )
    text = (DEPLOY / "standalone.conf.template").read_text()
    for key, value in {
        "@DIR@": str(directory),
        "@SERVERS@": servers,
        "@PORT@": str(port),
        "@DEPLOY@": str(DEPLOY),
    }.items():
        text = text.replace(key, value)
    (directory / "nginx.conf").write_text(text)
    processes.start(name, [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf")])
    wait_until(lambda: port_open(port), timeout=15, what="nginx")


def start_redis(processes: Processes, name: str, *, port: int):
    """A private redis-server without persistence: a restart starts empty."""
    processes.start(
        name,
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(processes.directory),
        ],
    )
    wait_until(lambda: port_open(port), timeout=15, what="redis-server")


def find_pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not versions:
        raise FileNotFoundError("PostgreSQL server binaries (apt install postgresql)")
    return versions[-1]


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own under a directory, on its own port, run as the current
    user (or as postgres when root); restarting it touches no one else's database."""

    directory: Path
    port: int

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(find_pg_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    @property
    def data(self) -> Path:
        return self.directory / "pgdata"

    def init(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\nmax_connections = 200\n"
                "shared_buffers = 256MB\nfsync = on\nsynchronous_commit = on\n"
            )

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.directory / "pg.log"), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "pg.log"),
            "-m",
            "fast",
            "-w",
            "restart",
        )

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"
