"""Rate limits on the recovery forms, counted in the shared cache (CACHE_URL)."""

import hashlib

from django.core.cache import cache

# Per address: a person rarely asks more than a few times an hour.
RECOVERY_PER_IP_PER_HOUR = 10
# Per account: at most 3 messages an hour about the same user number or e-mail.
RECOVERY_PER_TARGET_PER_HOUR = 3
# A new password by post costs a letter and takes days: one a day per user number.
RECOVERY_LETTERS_PER_TARGET_PER_DAY = 1
_HOUR = 3600
DAY = 24 * _HOUR


def allow(*, scope: str, key: str, limit: int, window_seconds: int = _HOUR) -> bool:
    """Count one request for (scope, key); False once the limit of the window is passed."""
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{digest}"
    cache.add(cache_key, 0, window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_seconds)
        count = 1
    return count <= limit
