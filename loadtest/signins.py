"""Phase 3 of the load test: sign-ins against the Argon2 limit, both measured on the same cores
while the rest of the mix runs (loadtest/run.py; the definitions are in loadtest/README.md).

The mix runs in the background at the measured phase's rate for the whole phase. Meanwhile,
one after the other, each for the same number of seconds:

1. the Argon2 limit: as many processes as the web nodes have gunicorn processes verify the
   configured hasher's hash of a password (``check_password``, nothing else) as fast as they
   can; verifications per second;
2. sign-ins: locust users each act as new visitors, one after the other: fetch the sign-in page,
   post the identifier and password of a landlord drawn at random, follow nothing; successful
   sign-ins per second;
3. the Argon2 limit again.

The ratio is 2 over the mean of 1 and 3: both see the same machine (the mix, the other
processes of the stack, whatever else runs), measured on either side of the sign-ins so a
change of the machine's load during the phase shows as a difference between 1 and 3.
"""

import multiprocessing
import os
import subprocess
import time

from loadtest import cluster

PASSWORD_PROBE = "Mesure-Argon2-2026"  # noqa: S105 - a throwaway hash, measured


def _verify_until(encoded: str, deadline: float, results) -> None:
    from django.contrib.auth.hashers import check_password

    done, cpu = 0, time.process_time()
    while time.monotonic() < deadline:
        check_password(PASSWORD_PROBE, encoded)
        done += 1
    results.put((done, time.process_time() - cpu))


def argon2_rate(processes: int, seconds: float) -> tuple[float, float]:
    """Verifications per second of the configured hasher by `processes` processes at once, on
    this machine as it is now (processes forked from a process where Django is set up), and
    the CPU seconds one verification took meanwhile."""
    from django.contrib.auth.hashers import make_password

    encoded = make_password(PASSWORD_PROBE)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.monotonic()
    workers = [
        context.Process(target=_verify_until, args=(encoded, start + seconds, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    counted = [results.get(timeout=seconds + 60) for _ in workers]
    elapsed = time.monotonic() - start
    for worker in workers:
        worker.join()
    done = sum(count for count, _ in counted)
    return done / elapsed, sum(cpu for _, cpu in counted) / max(done, 1)


def _stack_cpu(stack) -> tuple[float, float]:
    """(monotonic time, CPU seconds of the web nodes and PostgreSQL so far)."""
    cpu = stack.cpu()
    return time.monotonic(), cpu["web"] + cpu["database"]


def measure(stack, run_locust, locust_command, *, mix: list[str], rate: float, window: int):
    """Phase 3: the sign-in statistics (locust's), the Argon2 limits before and after, the load
    averages, the web and database CPU seconds one sign-in added to the mix's, and the CPU
    seconds of one verification in the limit's runs (the same contention)."""
    args = stack.args
    processes = args.nodes * args.web_workers
    command, env, _prefix = locust_command(
        stack,
        name="signin-mix",
        classes=mix,
        users=args.users,
        seconds=3 * window + 60,
        rate=rate,
        max_requests=args.max_requests,
    )
    with open(stack.directory / "signin-mix.locust.log", "wb") as log:
        background = subprocess.Popen(
            command, cwd=cluster.REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        time.sleep(15)  # the mix's users started and at their pace
        marks, loads = [_stack_cpu(stack)], [os.getloadavg()[0]]
        before = argon2_rate(processes, window)
        marks.append(_stack_cpu(stack))
        signins = run_locust(
            stack,
            name="signin",
            classes=["SignInLoop"],
            users=args.signin_users,
            seconds=window,
            rate=None,
            max_requests=args.max_requests,
        )
        marks.append(_stack_cpu(stack))
        loads.append(os.getloadavg()[0])
        after = argon2_rate(processes, window)
        marks.append(_stack_cpu(stack))
        loads.append(os.getloadavg()[0])
    finally:
        background.terminate()
        background.wait(60)
    signins.pop("cpu")  # the mix's requests were not counted: see per_signin
    (t0, c0), (t1, c1), (t2, c2), (t3, c3) = marks
    mix_rate = ((c1 - c0) + (c3 - c2)) / ((t1 - t0) + (t3 - t2))
    count = max(int(signins.get("sign-in", {}).get("Request Count", 0)), 1)
    per_signin = ((c2 - c1) - mix_rate * (t2 - t1)) / count
    return {
        "stats": signins,
        "limits": (before[0], after[0]),
        "loads": loads,
        "cpu": per_signin,
        "argon2_cpu": (before[1] + after[1]) / 2,
    }
