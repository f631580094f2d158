"""Configuration from the environment, safe headers, and French formats."""

import datetime
import os
import secrets
import subprocess
import sys
from decimal import Decimal

import pytest

from portail.common import formats

from ..conftest import REPO


def _import_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_with_the_default_secret_key():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key_and_development_with_the_default():
    assert _import_settings(DEBUG="false", SECRET_KEY="x" * 50).returncode == 0
    assert _import_settings(DEBUG="true").returncode == 0


def test_production_defaults_pass_the_deployment_check_with_no_warning():
    """`manage.py check --deploy` on the production defaults: only a secret key is given (the
    variables the tests set for their plain-HTTP server are removed)."""
    ours = ("SECRET_KEY", "DEBUG", "SECURE_", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_a_tls_terminating_proxy_can_turn_the_https_redirect_off():
    """The documented way off: the proxy redirects, the portal trusts its X-Forwarded-Proto."""
    code = (
        "from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER, "
        "settings.SECURE_HSTS_SECONDS)"
    )
    ours = ("DEBUG", "SECURE_SSL_REDIRECT", "BEHIND_TLS_PROXY", "SECURE_HSTS")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    environment.update(SECRET_KEY="x" * 50, SECURE_SSL_REDIRECT="false", BEHIND_TLS_PROXY="true")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO,
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000"]


@pytest.mark.django_db
def test_every_page_carries_safe_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_french_dates_times_and_amounts():
    moment = datetime.datetime(2026, 11, 27, 13, 5, tzinfo=datetime.UTC)
    assert formats.french_date(moment) == "27/11/2026"
    assert formats.french_time(moment) == "14 h 05"  # Paris is UTC+1 in November
    assert formats.french_amount(Decimal("1234.5")) == "1\u202f234,50\xa0€"
    assert formats.french_date(datetime.date(2026, 7, 1)) == "01/07/2026"


def test_manage_py_reports_a_missing_secret_key_plainly():
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=environment | {"DEBUG": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Configuration error: SECRET_KEY must be set")


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 erreur"), (1, "1 erreur"), (2, "2 erreurs"), (100_000, "100 000 erreurs")],
)
def test_plurals_follow_the_french_rule(count, text):
    from django.template import Context, Template

    template = Template("{% load french %}{{ n|number_fr }} erreur{{ n|pluriel }}")
    assert template.render(Context({"n": count})).replace("\u202f", " ") == text
