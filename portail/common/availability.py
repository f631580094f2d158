"""What the load balancer and the landlords see when a shared service fails.

``HealthMiddleware`` answers ``/health/`` before anything else runs (no session, no host
check, no database query but the probe): 200 when the database and the cache both answer,
503 otherwise, with a one-line JSON body naming what failed.

``server_error`` is the portal's handler500: an exception that says the database or Redis is
unreachable (PostgreSQL restarting, Redis stopped) becomes the French page « Service
momentanément indisponible » with status 503 and a Retry-After, logged as one line; any other
exception keeps the 500 page. Neither page shows a stack trace nor touches the database.
"""

import json
import logging
import sys
import time

from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portail.availability")

HEALTH_PATH = "/health/"
RETRY_AFTER_SECONDS = 30
# Exceptions that mean "a shared service is unreachable", not "the code is wrong".
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return False


def _cache_answers() -> bool:
    cache = caches["default"]
    token = str(time.monotonic_ns())
    try:
        cache.set("health:probe", token, 10)
        return cache.get("health:probe") == token
    except Exception:  # any cache failure is "cache down"; the body says so
        return False


def health_status() -> tuple[int, dict]:
    """(HTTP status, body) of the health probe."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    body = {name: "ok" if passed else "down" for name, passed in checks.items()}
    return (200 if all(checks.values()) else 503), body


class HealthMiddleware:
    """Answers the load balancer's probe before sessions, hosts and CSRF are looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        status, body = health_status()
        response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response


def is_unavailability(error: BaseException | None) -> bool:
    """The exception (or one it was raised from) says a shared service is unreachable."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, UNAVAILABLE):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def unavailable_response() -> HttpResponse:
    """The French 503 page, rendered without a request (no session, no database)."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: 503 « Service momentanément indisponible » for an outage, else the 500 page."""
    error = sys.exc_info()[1]
    if is_unavailability(error):
        logger.warning("service_unavailable path=%s error=%s", request.path, type(error).__name__)
        return unavailable_response()
    return HttpResponseServerError(loader.render_to_string("500.html"))
