"""One request id per request: taken from the trusted proxy's X-Request-ID or made here, written
in every log line of the request (``RequestIdLogFilter``) and sent back in the response header.

A request id from the client itself is kept only when the request came through a trusted proxy
(``TRUSTED_PROXIES``), which sets or overwrites it; otherwise the portal makes its own.
"""

import contextvars
import logging
import re
import uuid

from .network import from_trusted_proxy

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
# What a proxy's id may look like: nginx's $request_id is 32 hex digits; uuids; 8 to 64 chars.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_current = contextvars.ContextVar("request_id", default="-")


def current() -> str:
    """The id of the request being served in this thread ('-' outside a request)."""
    return _current.get()


def request_id_of(meta: dict) -> str:
    """The proxy's id when the request came through a trusted proxy and it is well formed;
    otherwise a new one."""
    offered = meta.get(_META_KEY, "")
    if offered and from_trusted_proxy(meta) and _ACCEPTED.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost middleware: every log line and the response carry the request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request.META)
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
            response[HEADER] = request.request_id
            return response
        finally:
            _current.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record (the format prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class OneLineFormatter(logging.Formatter):
    """Keeps each record on one line: a traceback's line breaks become ' | '."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", " | ")
