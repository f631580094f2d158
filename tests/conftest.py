"""Shared fixtures: factories for the domain, demo data through the real feed import."""

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# These machines are shared and noisy: time limits would make property tests flaky, not stricter.
hypothesis_settings.register_profile(
    "portal", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("portal")

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parent.parent
DEMO_FEED = REPO / "demo" / "feed"


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Each test gets its own letter spool and media folder."""
    settings.LETTER_SPOOL_DIR = tmp_path / "spool"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, cached counts)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests use a file database, so worker processes started by a test share it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = Path(tempfile.gettempdir()) / f"portail-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture
def demo_accounts(db, settings):
    """The demo landlords, loaded through the real feed import, with their sign-in details."""
    from portail.feed.demo import load_demo

    settings.DEBUG = True
    return {account.landlord_ref: account for account in load_demo(feed_directory=DEMO_FEED)}


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server on loopback; Django's e-mail settings point to it."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
