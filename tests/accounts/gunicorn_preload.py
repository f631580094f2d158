"""Gunicorn settings for tests that start the portal under gunicorn: the application and its
URL modules are imported once, before the workers fork, so a loaded machine does not make a
worker's first request outlast gunicorn's timeout."""

preload_app = True
timeout = 120


def when_ready(server):
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
