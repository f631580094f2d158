"""Rate limits on the recovery forms, counted in the database (RateCounter).

In the database rather than the cache: every web process shares it whatever CACHE_URL says (a
per-process cache let each gunicorn worker count on its own), and the counter's row is locked
while a request is counted, so parallel requests are counted one by one and the limit holds.
"""

import datetime
import hashlib

from django.db import transaction

from portail.common import clock

from .models import RateCounter

# Per address: a person rarely asks more than a few times an hour.
RECOVERY_PER_IP_PER_HOUR = 10
# Per account: at most 3 messages an hour about the same user number or e-mail.
RECOVERY_PER_TARGET_PER_HOUR = 3
# A new password by post costs a letter and takes days: one a day per user number.
RECOVERY_LETTERS_PER_TARGET_PER_DAY = 1
_HOUR = 3600
DAY = 24 * _HOUR


@transaction.atomic
def allow(*, scope: str, key: str, limit: int, window_seconds: int = _HOUR) -> bool:
    """Count one request for (scope, key); False once the limit of the window is passed."""
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    now = clock.now()
    # Counters of ended windows go as new requests come: the table holds at most the keys
    # seen in the last hour or so (recovery requests need a captcha: a few an hour).
    RateCounter.objects.filter(window_ends_at__lt=now).exclude(key=digest).delete()
    counter, _ = RateCounter.objects.select_for_update().get_or_create(
        key=digest, defaults={"window_ends_at": now}
    )
    if counter.window_ends_at <= now:
        counter.window_ends_at = now + datetime.timedelta(seconds=window_seconds)
        counter.count = 0
    counter.count += 1
    counter.save(update_fields=["window_ends_at", "count"])
    return counter.count <= limit
