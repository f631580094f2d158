"""Growing lock-outs after failed sign-ins, per identifier (known or not) and per IP address.

Each lock in a row lasts longer (5, 15, 45... minutes, capped at 24 hours) and none is
permanent, on both keys at once; docs/security.md says why this is our own small model.
"""

import datetime

from django.db import transaction

from portail.common import clock

from . import rules
from .models import SignInThrottle

Scope = SignInThrottle.Scope


def _keys(identifier: str, ip: str | None) -> list[tuple[str, str, int]]:
    keys = [(Scope.IDENTIFIER, identifier[:64], rules.IDENTIFIER_LOCK_THRESHOLD)]
    if ip:
        keys.append((Scope.IP, ip[:64], rules.IP_LOCK_THRESHOLD))
    return keys


def locked_until(*, identifier: str, ip: str | None) -> datetime.datetime | None:
    """Until when sign-in is refused for this identifier or address (difficulty 7), if locked."""
    now = clock.now()
    latest = None
    for scope, key, _threshold in _keys(identifier, ip):
        row = SignInThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now).first()
        if row and (latest is None or row.locked_until > latest):
            latest = row.locked_until
    return latest


@transaction.atomic
def register_failure(*, identifier: str, ip: str | None) -> datetime.datetime | None:
    """Count one failed sign-in; returns the end of a lock that this failure starts, if any."""
    now = clock.now()
    started = None
    for scope, key, threshold in _keys(identifier, ip):
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)
        forgotten = row.last_failure_at is None or now - row.last_failure_at > datetime.timedelta(
            hours=rules.LOCK_MEMORY_HOURS
        )
        if forgotten:
            row.failures, row.lockouts = 0, 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= threshold:
            row.lockouts += 1
            row.failures = 0
            row.locked_until = now + datetime.timedelta(minutes=rules.lockout_minutes(row.lockouts))
            started = max(started, row.locked_until) if started else row.locked_until
        row.save()
    return started


def clear_failures(*, identifier: str) -> None:
    """A successful sign-in forgets the failures and locks of its identifier."""
    SignInThrottle.objects.filter(scope=Scope.IDENTIFIER, key=identifier[:64]).delete()
