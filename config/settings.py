"""The one settings module: every value that differs between places is read from the environment.

See the configuration table in README.md. Tests change settings through pytest fixtures only.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Marks the key shipped for development; production (DEBUG off) refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

# The agency that runs the portal: its name is configuration, shown in titles, e-mails, letters.
AGENCY_NAME = env.str("AGENCY_NAME", default="Caf de démonstration")
AGENCY_PHONE = env.str("AGENCY_PHONE", default="3230")

# July rents above this amount (euros) ask the landlord for a confirmation (difficulty 10).
RENT_CONFIRMATION_CEILING = env.str("RENT_CONFIRMATION_CEILING", default="5000")
# Files of rents with more lines than this are checked and recorded in the background.
RENT_BULK_BACKGROUND_LINES = env.int("RENT_BULK_BACKGROUND_LINES", default=500)

# The API for landlords' software (portail/api, docs/api.md).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
# Webhooks to plain HTTP and to loopback, private or link-local addresses: development only.
API_WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("API_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=DEBUG)

INSTALLED_APPS = [
    # The Django admin, on a site that asks staff for a second factor (portail.backoffice).
    "portail.backoffice.admin_site.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "portail.common",
    "portail.accounts",
    "portail.events",
    "portail.portfolios",
    "portail.rents",
    "portail.obligations",
    "portail.payments",
    "portail.feed",
    "portail.help",
    "portail.audit",
    "captcha",
    "portail.correspondence",
    "portail.team",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portail.backoffice",
    "portail.api",
    "ninja",
]

MIDDLEWARE = [
    # Outermost: every log line of the request carries its id (portail/common/requestid.py).
    "portail.common.requestid.RequestIdMiddleware",
    # The load balancer's /health/ probe, before sessions and the host check.
    "portail.common.availability.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's, the settings' policy built once per process (portail/common/csp.py).
    "portail.common.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portail.accounts.middleware.CredentialsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Errors under /api/ that no API handler answered become problem details (RFC 9457).
    "portail.api.middleware.ProblemDetailsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The admin's base_site.html with the portal's accessibility fixes, found before the
        # admin's own (apps are searched in INSTALLED_APPS order, the admin comes first).
        "DIRS": [BASE_DIR / "portail" / "backoffice" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portail.common.context_processors.portal",
            ],
        },
    },
    {
        # Plain text (e-mail subjects and text bodies): never HTML-escaped, or a subject would
        # read "L&#x27;adresse" (correspondence/rendering.py renders them with this engine).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
    {
        # Fragments repeated on every row of a long list (portail/common/jinja2.py says why).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "portail.common.jinja2.environment"},
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portail.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A web process keeps its database connection between requests (opening one per request cost
# PostgreSQL a new backend process, several milliseconds); a connection found broken is
# replaced before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and worker share one SQLite file: write-ahead logging lets pages
    # read while the worker writes, a write transaction takes the lock when it begins (never a
    # failed upgrade half-way), and a busy database is waited for rather than refused; a page
    # cache of 64 MB (2 MB by default) keeps the indexes a feed of a million payments fills.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The tenant list's indexes carry the id for PostgreSQL (Index.include); SQLite ignores it, its
# indexes always carry the row id: nothing to warn about.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Shared across processes and machines when CACHE_URL is Redis (django-redis). The cache proper
# degrades to misses while Redis is unreachable (IGNORE_EXCEPTIONS): pages are computed again
# and sessions read from the database; what guards something (lock-outs, rate limits) is in
# the database anyway. Timeouts are short: a stopped Redis costs a request 0.5 s at most,
# never a hung process.
SHARED_CACHE = CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
if SHARED_CACHE:
    _redis_options = {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25}
    CACHES["default"]["OPTIONS"] = {**_redis_options, "IGNORE_EXCEPTIONS": True}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "portail.availability"
# Sessions: in the database, read through the shared cache when there is one (cached_db: a
# Redis hit saves a database read per page; the database stays the reference, so a Redis
# outage signs nobody out). With a per-process cache (the demo, tests) the database alone.
# A new session (a sign-in) is written in one INSERT (portail/accounts/sessions.py).
SESSION_ENGINE = "portail.accounts.sessions"

# Reverse proxies whose X-Real-IP and X-Request-ID headers are believed (addresses or networks,
# e.g. "10.0.0.5,10.0.1.0/24"); portail/common/network.py. Empty: the peer's address is used.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Background work runs on three queues, each with its own worker (README, "Processes"): e-mails
# and letters never wait behind a file of rents or a batch.
TASK_QUEUE_MAIL = "mail"  # delivering the outbox
TASK_QUEUE_FILES = "files"  # checking and recording files of rents
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", TASK_QUEUE_MAIL, TASK_QUEUE_FILES],
    }
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:1025")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="espace-bailleur@caf.example")
LETTER_SPOOL_DIR = Path(env.str("LETTER_SPOOL_DIR", default=str(VAR_DIR / "spool")))
# Where `manage.py dev_smtp` keeps the e-mails it receives (development mailbox, DEBUG only).
DEV_MAILBOX_DIR = Path(env.str("DEV_MAILBOX_DIR", default=str(VAR_DIR / "mailbox")))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["portail.accounts.backends.PortalBackend"]
# Staff's second factor (django-otp, TOTP): the name their authenticator application shows.
OTP_TOTP_ISSUER = f"Espace bailleur {AGENCY_NAME}"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "portfolios:home"
LOGOUT_REDIRECT_URL = "common:home"

# Argon2id first (parameters justified in docs/security.md); the others only read old hashes.
PASSWORD_HASHERS = ["portail.accounts.hashers.PortalArgon2PasswordHasher"]
# Chosen passwords: CNIL length rule, no context words, not a common password (French messages).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "portail.accounts.validators.CnilLengthValidator"},
    {"NAME": "portail.accounts.validators.ContextWordsValidator"},
    {"NAME": "portail.accounts.validators.FrenchCommonPasswordValidator"},
]

# Captcha of the recovery forms (django-simple-captcha): single use, 10 minutes, spoken in French
# by espeak-ng. There is deliberately no setting for its test mode: no bypass exists.
CAPTCHA_CHALLENGE_FUNCT = "portail.accounts.captcha.challenge"
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10
CAPTCHA_FONT_SIZE = 30
CAPTCHA_IMAGE_SIZE = (200, 70)
CAPTCHA_FLITE_PATH = None
CAPTCHA_SPEECH_PATH = env.str("CAPTCHA_SPEECH_PATH", default="/usr/bin/espeak-ng")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic (make serve) writes a gzip copy next to each file; whitenoise
    # serves them from every web process, with the right encoding, no proxy configuration.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Sessions end after 30 idle minutes (the pages announce it and offer to stay signed in); the
# credentials middleware restarts that clock at most once a minute (SESSION_TOUCH_INTERVAL).
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_FAILURE_VIEW = "portail.common.views.csrf_failure"

# Safe headers on every response.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production (DEBUG off): plain HTTP is redirected, and browsers are told for a
# year to use HTTPS only, on subdomains too (`manage.py check --deploy` passes with no warning,
# tested). Behind a TLS-terminating proxy, set BEHIND_TLS_PROXY so the portal knows a request
# came over HTTPS, or SECURE_SSL_REDIRECT=false when the proxy redirects itself (README).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per event, with the request id (portail/common/requestid.py; "-" outside one).
    "filters": {"request_id": {"()": "portail.common.requestid.RequestIdLogFilter"}},
    "formatters": {
        "line": {
            "()": "portail.common.requestid.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s rid=%(request_id)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Libraries speak only of problems: WeasyPrint logs every rendering step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "PIL")},
}
