"""The recovery forms' rate limits hold under parallel requests to several web processes.

A real gunicorn with 3 worker processes serves the test database with the default cache (one
per process, as a production without CACHE_URL has): 30 requests from one address for one
account, sent at once, get exactly 10 answers and 3 sendings (issue 11, finding 5).
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from captcha.models import CaptchaStore
from django_tasks_db.models import DBTaskResult

from portail.accounts import ratelimit
from tests.correspondence.conftest import REPO, database_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 30
TOO_MANY = "beaucoup de demandes"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def web(django_db_setup, tmp_path_factory):
    """The portal under gunicorn, 3 processes, on the test database; its base URL."""
    port, log = _free_port(), tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": "locmemcache://",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "3"),
            *("-b", f"127.0.0.1:{port}", "-c", "python:tests.accounts.gunicorn_preload"),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(f"{base}/", timeout=10)  # noqa: S310 - our own test server
            break
        except OSError as error:
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"{error!r} {log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser of its own (cookies), that fills a recovery form as a person would."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def prepare(self, fields: dict) -> None:
        page = self.opener.open(self.url, timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        key = re.search(r'name="captcha_0" value="([^"]+)"', page).group(1)
        answer = CaptchaStore.objects.get(hashkey=key).challenge
        self.data = urllib.parse.urlencode(
            {**fields, "csrfmiddlewaretoken": token, "captcha_0": key, "captcha_1": answer}
        ).encode()

    def send(self) -> tuple[int, str]:
        try:
            response = self.opener.open(self.url, data=self.data, timeout=60)
            return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()


def _all_at_once(visitors: list[Visitor]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(visitors))
    results: list = [None] * len(visitors)

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        results[index] = visitors[index].send()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(visitors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


@pytest.mark.parametrize("form", ["identifiant-perdu", "mot-de-passe-perdu"])
def test_parallel_recovery_requests_keep_to_the_limits(web, form):
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    fields = {"user_number": user.user_number} if form == "identifiant-perdu" else {}
    fields = fields or {"email": user.email}
    visitors = [Visitor(f"{web}/compte/{form}/") for _ in range(REQUESTS)]
    for visitor in visitors:
        visitor.prepare(fields)
    answers = _all_at_once(visitors)
    accepted = [status for status, _body in answers if status == 302]
    refused = [status for status, body in answers if status == 200 and TOO_MANY in body]
    assert (len(accepted), len(refused)) == (
        ratelimit.RECOVERY_PER_IP_PER_HOUR,
        REQUESTS - ratelimit.RECOVERY_PER_IP_PER_HOUR,
    )
    # Each request that passes both limits queues its sending (recovery.py): 3 for one account.
    task = "remind_identifier_task" if form == "identifiant-perdu" else "reset_password_task"
    queued = DBTaskResult.objects.filter(task_path__endswith=f".{task}").count()
    assert queued == ratelimit.RECOVERY_PER_TARGET_PER_HOUR
