"""``Idempotency-Key``: a write retried with the same key is done once and its first answer
replayed; the same key with another request is refused (422).

The key's row is inserted first, in the transaction of the write: a parallel retry's insert
waits on the unique index until the first commits (PostgreSQL), then finds the row and
replays its answer; SQLite takes its one write lock when the transaction begins. A refused
write (4xx) rolls its key back with it: a retry is judged again by the same rules.
"""

from collections.abc import Callable

from django.db import connection, transaction

from portail.common import clock

from . import rules
from .models import IdempotencyKey
from .problems import Problem

IDEMPOTENCY_KEY_HOURS = 24
LONGEST_KEY = 255


def run_once(
    request, *, key: str | None, write: Callable[[], tuple[int, dict]]
) -> tuple[int, dict]:
    """(status, body) of ``write()``, run at most once per token and key."""
    if key is None:
        return write()
    if not 1 <= len(key) <= LONGEST_KEY:
        raise Problem(
            422,
            f"L'en-tête Idempotency-Key doit compter de 1 à {LONGEST_KEY} caractères.",
            slug="validation-error",
        )
    fingerprint = rules.request_fingerprint(
        method=request.method, path=request.path, body=request.body
    )
    with transaction.atomic():
        row_id = _claim(token_id=request.auth.pk, key=key, fingerprint=fingerprint)
        if row_id is None:
            row = IdempotencyKey.objects.get(token=request.auth, key=key)
            if row.fingerprint != fingerprint:
                raise Problem(
                    422,
                    "Cette clé d'idempotence a déjà servi pour une autre requête : choisissez "
                    "une nouvelle clé pour chaque nouvelle déclaration.",
                    slug="idempotency-key-reused",
                ) from None
            return row.status_code, row.response
        status, body = write()
        IdempotencyKey.objects.filter(pk=row_id).update(status_code=status, response=body)
        return status, body


def _claim(*, token_id: int, key: str, fingerprint: str) -> int | None:
    """Insert the key's row, or wait for a parallel twin's to commit: its id, or None when the
    key was already there (one statement, no savepoint; PostgreSQL and SQLite alike)."""
    table = IdempotencyKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token_id, key, fingerprint, status_code, response, created_at) "  # noqa: S608 - our table's name
            "VALUES (%s, %s, %s, 0, '{}', %s) ON CONFLICT (token_id, key) DO NOTHING RETURNING id",
            [token_id, key, fingerprint, connection.ops.adapt_datetimefield_value(clock.now())],
        )
        row = cursor.fetchone()
    return row[0] if row else None
