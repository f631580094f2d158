"""Rate limits on the recovery forms, counted in the shared cache (Redis, CACHE_URL).

While Redis is unreachable the same windows are counted in the database (``RateLimitCounter``):
the limits neither open (a flood of recovery e-mails) nor close (nobody refused for lack of a
counter). Counts made in one place are not carried to the other: a window that spans an outage
may allow up to twice its limit, once. Lock-outs after failed sign-ins are always counted in the
database (``portail/accounts/lockout.py``), so a Redis outage changes nothing for them.
"""

import datetime
import hashlib
import logging

from django.core.cache import caches
from django.db import transaction
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from portail.common import clock

from .models import RateLimitCounter

logger = logging.getLogger(__name__)

# Per address: a person rarely asks more than a few times an hour.
RECOVERY_PER_IP_PER_HOUR = 10
# Per account: at most 3 messages an hour about the same user number or e-mail.
RECOVERY_PER_TARGET_PER_HOUR = 3
_HOUR = 3600


def _count_in_cache(cache_key: str, window_seconds: int) -> int:
    counters = caches["counters"]
    counters.add(cache_key, 0, window_seconds)
    try:
        return counters.incr(cache_key)
    except ValueError:  # expired between add and incr
        counters.set(cache_key, 1, window_seconds)
        return 1


@transaction.atomic
def _count_in_database(cache_key: str, window_seconds: int) -> int:
    now = clock.now()
    row, _ = RateLimitCounter.objects.select_for_update().get_or_create(
        key=cache_key, defaults={"window_ends_at": now}
    )
    if row.window_ends_at <= now:
        row.count = 0
        row.window_ends_at = now + datetime.timedelta(seconds=window_seconds)
    row.count += 1
    row.save(update_fields=["count", "window_ends_at"])
    return row.count


def allow(*, scope: str, key: str, limit: int, window_seconds: int = _HOUR) -> bool:
    """Count one request for (scope, key); False once the limit of the window is passed."""
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{digest}"
    try:
        count = _count_in_cache(cache_key, window_seconds)
    except (ConnectionInterrupted, RedisError) as error:
        logger.warning("ratelimit_fallback_database scope=%s error=%s", scope, error)
        count = _count_in_database(cache_key, window_seconds)
    return count <= limit
