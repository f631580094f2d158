"""Growing lock-outs after failed sign-ins, per identifier (known or not) and per IP address.

Each lock in a row lasts longer (5, 15, 45... minutes, capped at 24 hours) and none is
permanent, on both keys at once; docs/security.md says why this is our own small model.

An attempt is counted BEFORE its password is checked (``claim_attempt``, one transaction that
locks the counters' rows): parallel guesses are counted one by one, so at most 5 passwords of
an identifier are ever evaluated before its lock, however many arrive at once. An attempt that
turns out right gives its count back (``clear_failures``, ``release_attempt``).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from portail.common import clock

from . import rules
from .models import SignInThrottle

Scope = SignInThrottle.Scope


@dataclass(frozen=True)
class Claim:
    """The outcome of counting an attempt: refused while locked, else allowed (and maybe the
    attempt that starts a lock, which is still evaluated: it is the 5th)."""

    locked_until: datetime.datetime | None = None
    lock_started: datetime.datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.locked_until is None


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
def claim_attempt(*, identifier: str, ip: str | None) -> Claim:
    """Count one attempt on both keys before its password is checked, or refuse it if either
    key is locked. The counters' rows stay locked until the count is written, so parallel
    attempts are counted one after the other (PostgreSQL row locks; SQLite's write lock)."""
    now = clock.now()
    rows = [
        (SignInThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)[0], limit)
        for scope, key, limit in _keys(identifier, ip)
    ]
    locks = [row.locked_until for row, _ in rows if row.locked_until and row.locked_until > now]
    if locks:
        return Claim(locked_until=max(locks))
    started = None
    for row, threshold in rows:
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
    return Claim(lock_started=started)


def release_attempt(*, identifier: str | None, ip: str | None) -> None:
    """Give back the count of an attempt that was not a guess (the right password, or a real
    but expired temporary one): one failure less on each key, never below zero."""
    for scope, key, _threshold in _keys(identifier or "", ip):
        if key:
            SignInThrottle.objects.filter(scope=scope, key=key, failures__gt=0).update(
                failures=F("failures") - 1
            )


def clear_failures(*, identifier: str, ip: str | None = None) -> None:
    """A successful sign-in forgets the failures and locks of its identifier, and gives back the
    attempt it counted on its address."""
    SignInThrottle.objects.filter(scope=Scope.IDENTIFIER, key=identifier[:64]).delete()
    if ip:
        release_attempt(identifier=None, ip=ip)
