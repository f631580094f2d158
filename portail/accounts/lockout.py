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

from django.db import connection, transaction
from django.db.models import F, Max, Q

from portail.common import clock
from portail.common.prepared import statement_cursor

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


def _matching(keys: list[tuple[str, str, int]]) -> Q:
    wanted = Q()
    for scope, key, _threshold in keys:
        wanted |= Q(scope=scope, key=key)
    return wanted


def _sql_matching(keys: list[tuple[str, str, int]]) -> tuple[str, list[str]]:
    """The WHERE clause of these keys' rows, and its parameters (SQL of both engines)."""
    clause = " OR ".join(['(scope = %s AND "key" = %s)'] * len(keys))
    return f"({clause})", [value for scope, key, _ in keys for value in (scope, key)]


# The counters are written in plain SQL: the ORM's bulk_update and conditional updates cost
# more CPU to compile than the database spends running them (profiled on the sign-in path).
_MAKE = 'INSERT INTO accounts_signinthrottle (scope, "key", failures, lockouts) VALUES '
# A counter already there is "updated" to itself: the statement then locks it and returns it.
_MOMENTS = ("locked_until", "last_failure_at")
_MADE_OR_LOCKED = ' ON CONFLICT (scope, "key") DO UPDATE SET scope = excluded.scope RETURNING *'
_CLEAR = (
    "UPDATE accounts_signinthrottle SET "
    "failures = CASE WHEN scope = %s THEN 0 WHEN failures > 0 THEN failures - 1 ELSE 0 END, "
    "lockouts = CASE WHEN scope = %s THEN 0 ELSE lockouts END, "
    "locked_until = CASE WHEN scope = %s THEN NULL ELSE locked_until END, "
    "last_failure_at = CASE WHEN scope = %s THEN NULL ELSE last_failure_at END "
    "WHERE "
)


def locked_until(*, identifier: str, ip: str | None) -> datetime.datetime | None:
    """Until when sign-in is refused for this identifier or address (difficulty 7), if locked."""
    return (
        SignInThrottle.objects.filter(
            _matching(_keys(identifier, ip)), locked_until__gt=clock.now()
        )
        .aggregate(latest=Max("locked_until"))
        .get("latest")
    )


def _rows_for_update(keys: list[tuple[str, str, int]]) -> list[SignInThrottle]:
    """The counters of these keys, made if missing (a parallel attempt may make them first:
    its row is used), and locked until the transaction ends: identifier first, then address
    (an INSERT … ON CONFLICT DO UPDATE locks its rows in the order of its values), the same
    order in every transaction, so two attempts never wait for each other crosswise. One
    statement (SQLite: the transaction holds the database's write lock)."""
    values = ", ".join(["(%s, %s, 0, 0)"] * len(keys))
    params = [value for scope, key, _ in keys for value in (scope, key)]
    with statement_cursor(connection) as cursor:
        cursor.execute(_MAKE + values + _MADE_OR_LOCKED, params)
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return [_counter(columns, row) for row in rows]


def _counter(columns: list[str], row) -> SignInThrottle:
    """A counter from a row of RETURNING * (what raw() does, without its machinery): SQLite
    returns its moments as text, converted as the ORM converts them."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is not None:
        row = [
            convert(value, None, connection) if column in _MOMENTS else value
            for column, value in zip(columns, row, strict=True)
        ]
    return SignInThrottle.from_db(connection.alias, columns, row)


@transaction.atomic
def claim_attempt(*, identifier: str, ip: str | None) -> Claim:
    """Count one attempt on both keys before its password is checked, or refuse it if either
    key is locked. The counters' rows stay locked until the count is written, so parallel
    attempts are counted one after the other (PostgreSQL row locks; SQLite's write lock).
    Two statements: the counters made if missing and locked, one write."""
    now = clock.now()
    keys = _keys(identifier, ip)
    thresholds = {(scope, key): threshold for scope, key, threshold in keys}
    rows = _rows_for_update(keys)
    locks = [row.locked_until for row in rows if row.locked_until and row.locked_until > now]
    if locks:
        return Claim(locked_until=max(locks))
    started = None
    for row in rows:
        forgotten = row.last_failure_at is None or now - row.last_failure_at > datetime.timedelta(
            hours=rules.LOCK_MEMORY_HOURS
        )
        if forgotten:
            row.failures, row.lockouts = 0, 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= thresholds[(row.scope, row.key)]:
            row.lockouts += 1
            row.failures = 0
            row.locked_until = now + datetime.timedelta(minutes=rules.lockout_minutes(row.lockouts))
            started = max(started, row.locked_until) if started else row.locked_until
    _write_counts(rows)
    return Claim(lock_started=started)


def _write_counts(rows: list[SignInThrottle]) -> None:
    """Write the counters' new values, all rows in one UPDATE (one round trip a sign-in)."""
    moment = connection.ops.adapt_datetimefield_value
    columns = {
        "failures": [row.failures for row in rows],
        "lockouts": [row.lockouts for row in rows],
        "locked_until": [moment(row.locked_until) for row in rows],
        "last_failure_at": [moment(row.last_failure_at) for row in rows],
    }
    ids = [row.pk for row in rows]
    whens = " ".join(["WHEN %s THEN %s"] * len(rows))
    # A CASE of NULLs only has no type on PostgreSQL: the moments are cast (SQLite needs none).
    moment_type = "::timestamptz" if connection.vendor == "postgresql" else ""
    sets, params = [], []
    for column, values in columns.items():
        cast = "" if column in ("failures", "lockouts") else moment_type
        sets.append(f"{column} = (CASE id {whens} END){cast}")
        params.extend(value for pair in zip(ids, values, strict=True) for value in pair)
    marks = ", ".join(["%s"] * len(ids))
    with statement_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE accounts_signinthrottle SET {', '.join(sets)} WHERE id IN ({marks})",  # noqa: S608
            [*params, *ids],
        )


def release_attempt(*, identifier: str | None, ip: str | None) -> None:
    """Give back the count of an attempt that was not a guess (the right password, or a real
    but expired temporary one): one failure less on each key, never below zero; one query."""
    keys = [item for item in _keys(identifier or "", ip) if item[1]]
    if keys:
        SignInThrottle.objects.filter(_matching(keys), failures__gt=0).update(
            failures=F("failures") - 1
        )


def clear_failures(*, identifier: str, ip: str | None = None) -> None:
    """A successful sign-in forgets the failures and locks of its identifier, and gives back the
    attempt it counted on its address: one UPDATE of both counters. The rows stay (zeroed), so
    the next sign-in's count finds them instead of making them again."""
    where, params = _sql_matching(_keys(identifier, ip))
    with statement_cursor(connection) as cursor:
        cursor.execute(_CLEAR + where, [Scope.IDENTIFIER] * 4 + params)


def unlock(*, identifier: str) -> None:
    """An agent lifts an identifier's lock (difficulty 7): its counter is removed."""
    SignInThrottle.objects.filter(scope=Scope.IDENTIFIER, key=identifier[:64]).delete()
