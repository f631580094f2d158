"""Settings of bench/api.py's second reference: the portal's own settings, with a URL
configuration that adds one endpoint (bench/api_reference_urls.py). The portal itself holds no
benchmark-only view; gunicorn loads this module only in the benchmark."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "api_reference_urls"
