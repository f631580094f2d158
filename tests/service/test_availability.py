"""What a load balancer and a landlord see when PostgreSQL or Redis is unreachable, the client
address behind the trusted proxy, the request id, and rate limits while Redis is down."""

import logging

import pytest
from django.test import Client

from portail.accounts import ratelimit
from portail.accounts.models import RateCounter
from portail.common.network import client_address
from portail.common.requestid import OneLineFormatter, RequestIdLogFilter, request_id_of
from tests.factories import UserFactory
from tests.smtp import free_port

pytestmark = pytest.mark.django_db


def _unreachable_redis() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


@pytest.fixture
def redis_down(settings):
    options = {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}
    location = _unreachable_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {**options, "IGNORE_EXCEPTIONS": True},
        },
    }


def test_health_answers_200_when_database_and_cache_answer(client):
    response = client.get("/health/", HTTP_HOST="10.0.0.11")  # any host: before the host check
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "sessionid" not in response.cookies and response["Cache-Control"] == "no-store"


def test_health_answers_503_naming_the_cache_when_redis_is_down(client, redis_down):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "down"}


def test_pages_still_answer_while_redis_is_down(client, redis_down):
    assert client.get("/compte/connexion/").status_code == 200


@pytest.mark.parametrize("path", ["/panne/base/", "/panne/redis/"])
def test_an_outage_answers_the_french_503_page_without_a_trace(settings, path):
    settings.ROOT_URLCONF = "tests.service.urls"
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Traceback" not in page and "Connection refused" not in page


def test_a_bug_is_still_a_500_not_an_outage(settings):
    settings.ROOT_URLCONF = "tests.service.urls"
    response = Client(raise_request_exception=False).get("/panne/bug/")
    assert response.status_code == 500
    assert "Une erreur technique est survenue" in response.content.decode()


def test_recovery_rate_limits_hold_while_redis_is_down(redis_down):
    answers = [ratelimit.allow(scope="recovery-ip", key="198.51.100.7", limit=3) for _ in range(4)]
    assert answers == [True, True, True, False]  # neither open nor closed
    assert RateCounter.objects.get().count == 4


def test_the_client_address_is_the_proxys_header_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxied = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_REAL_IP": "203.0.113.9"}
    assert client_address(proxied) == "203.0.113.9"
    assert client_address({**proxied, "REMOTE_ADDR": "198.51.100.1"}) == "198.51.100.1"
    assert client_address({**proxied, "HTTP_X_REAL_IP": "pas une adresse"}) == "10.0.0.5"
    settings.TRUSTED_PROXIES = []
    assert client_address(proxied) == "10.0.0.5"


def test_failed_sign_ins_are_counted_under_the_address_the_proxy_reports(client, settings):
    from portail.accounts.models import SignInThrottle

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client.post(
        "/compte/connexion/",
        {"identifier": UserFactory().identifier, "password": "faux"},
        HTTP_X_REAL_IP="203.0.113.9",
    )
    assert SignInThrottle.objects.filter(scope="ip", key="203.0.113.9").exists()


def test_a_request_id_comes_from_the_trusted_proxy_or_is_made(settings, client):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    given = "0123456789abcdef0123456789abcdef"
    assert request_id_of({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REQUEST_ID": given}) == given
    assert request_id_of({"REMOTE_ADDR": "198.51.100.1", "HTTP_X_REQUEST_ID": given}) != given
    assert request_id_of({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REQUEST_ID": "a b\nc"}) != given
    assert client.get("/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


def test_log_lines_carry_the_request_id_and_stay_on_one_line():
    record = logging.LogRecord("portail", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RequestIdLogFilter().filter(record)
    text = OneLineFormatter("%(request_id)s %(message)s").format(record)
    assert "\n" not in text and text.startswith("- boom") and "line one | line two" in text


def test_the_outbox_sweep_loop_outlives_a_database_outage(monkeypatch, caplog):
    from django.core.management import call_command
    from django.db import OperationalError

    from portail.correspondence.management.commands import deliver_outbox

    outcomes = iter([OperationalError("the database system is shutting down"), None])
    sweeps = []

    def sweep(limit=None):
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        sweeps.append(limit)
        return {"sent": 0, "queued": 0, "failed": 0}

    class Stop(Exception):
        pass

    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise Stop

    monkeypatch.setattr(deliver_outbox, "deliver_due_messages", sweep)
    monkeypatch.setattr(deliver_outbox.time, "sleep", nap)
    with pytest.raises(Stop):
        call_command("deliver_outbox", loop=5)
    assert sweeps == [None] and naps == [5, 5]
    assert "outbox_sweep_skipped error=OperationalError" in caplog.text


@pytest.mark.parametrize(
    ("database", "cache", "told"),
    [
        ("sqlite:///var/x.sqlite3", "redis://127.0.0.1:6379/1", "DATABASE_URL must be PostgreSQL"),
        ("postgres://postgres@127.0.0.1:5432/x", "locmemcache://", "CACHE_URL must be Redis"),
    ],
)
def test_make_serve_refuses_to_start_without_postgresql_and_redis(database, cache, told):
    import os
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": database, "CACHE_URL": cache, "SECRET_KEY": "k" * 50}
    result = subprocess.run(
        [str(repo / "scripts" / "serve.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and told in result.stderr
