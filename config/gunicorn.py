"""gunicorn settings of the production profile (`make serve`, deploy/README.md).

Sync workers: a page is CPU work (templates, Argon2 at sign-in) plus short database queries,
so one process per request in flight, about two per core. Values come from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
# A request that takes longer is a bug or an outage: the worker is replaced, the proxy answers.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Workers are replaced now and then so a slow leak never grows for weeks.
max_requests = 5000
max_requests_jitter = 500
# One line per request, with its id (the same as in the application's log lines).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
# Django's own logging (LOG_LEVEL) prints the application's lines; gunicorn's are its own.
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
