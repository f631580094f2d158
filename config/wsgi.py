"""WSGI entry point: `gunicorn config.wsgi` or any WSGI server.

The URLconf (and so every view module, WeasyPrint included) is imported when the process
starts, not by its first request: a fresh gunicorn worker answers its first page as fast as
the others, and a load balancer's health probe means the node is really ready.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view module now
