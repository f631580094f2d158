"""A URLconf for availability tests: views that fail the way an outage makes them fail."""

from django.db import OperationalError
from django.urls import path
from redis.exceptions import ConnectionError as RedisConnectionError

from config.urls import handler500  # noqa: F401 - the portal's own handler
from config.urls import urlpatterns as portal_patterns


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def redis_gone(request):
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")


def code_bug(request):
    raise ZeroDivisionError("a real bug")


urlpatterns = [
    path("panne/base/", database_gone),
    path("panne/redis/", redis_gone),
    path("panne/bug/", code_bug),
    *portal_patterns,
]
