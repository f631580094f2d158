"""``Idempotency-Key``: a write retried with the same key is done once and its first answer
replayed; the same key with another request is refused (422).

The key's row is inserted first, in the transaction of the write: a parallel retry's insert
waits on the unique index until the first commits (PostgreSQL), then finds the row and
replays its answer; SQLite takes its one write lock when the transaction begins. A refused
write (4xx) rolls its key back with it: a retry is judged again by the same rules.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction

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
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    token=request.auth, key=key, fingerprint=fingerprint, status_code=0, response={}
                )
        except IntegrityError:
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
        row.status_code, row.response = status, body
        row.save(update_fields=["status_code", "response"])
        return status, body
