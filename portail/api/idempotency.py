"""``Idempotency-Key``: a write retried with the same key is done once and its first answer
replayed; the same key with another request is refused (422).

The write must itself record once per key (declare_rent does, by a submission token derived
from the token and the key). The key's answer is then inserted once the write is done, in its
transaction, with one statement: a retry after the first committed, or a parallel twin that
waited for it on the write's own unique index, finds the key taken and gets the first answer
(or 422 for another request), its own transaction rolled back. A refused write (4xx) leaves
no key: a retry is judged again by the same rules.

A write that does not record once by itself, or keeps something outside the database (a
repayment plan's file), claims the key first instead (``claim_first``): the key is inserted
before the write, in its transaction, and its answer set after it. A retry, or a parallel
twin waiting on the key's unique index until the first commits, finds the key taken before
writing anything; a refused write rolls the claim back with it. One statement more than the
declaration's path, which keeps the cheaper order.
"""

import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from portail.common import clock
from portail.common.prepared import statement_cursor

from . import rules
from .models import IdempotencyKey
from .problems import Problem

IDEMPOTENCY_KEY_HOURS = 24
LONGEST_KEY = 255


def run_once(
    request,
    *,
    key: str | None,
    write: Callable[[], tuple[int, dict]],
    claim_first: bool = False,
    body: bytes | None = None,
) -> tuple[int, dict]:
    """(status, body) of ``write()``, run at most once per token and key. ``body`` stands for
    the request's body in its fingerprint where that cannot be read again (a multipart upload:
    a digest of its file)."""
    if key is None:
        return write()
    if not 1 <= len(key) <= LONGEST_KEY:
        raise Problem(
            422,
            f"L'en-tête Idempotency-Key doit compter de 1 à {LONGEST_KEY} caractères.",
            slug="validation-error",
        )
    fingerprint = rules.request_fingerprint(
        method=request.method, path=request.path, body=request.body if body is None else body
    )
    token_id = request.auth.pk
    with transaction.atomic():
        if claim_first:
            if not _record(token_id=token_id, key=key, fingerprint=fingerprint, status=0, body={}):
                return _first_answer(request, key=key, fingerprint=fingerprint)
            status, answer = write()
            IdempotencyKey.objects.filter(token_id=token_id, key=key).update(
                status_code=status, response=json.loads(json.dumps(answer, cls=DjangoJSONEncoder))
            )
            return status, answer
        status, answer = write()
        if _record(token_id=token_id, key=key, fingerprint=fingerprint, status=status, body=answer):
            return status, answer
        # The twin's answer: this request's write found the twin's (nothing recorded twice);
        # leaving the block rolls back anything this one wrote besides.
        replayed = _first_answer(request, key=key, fingerprint=fingerprint)
        transaction.set_rollback(True)
        return replayed


def _first_answer(request, *, key: str, fingerprint: str) -> tuple[int, dict]:
    """The answer kept for this key; 422 when the key served another request."""
    row = IdempotencyKey.objects.get(token=request.auth, key=key)
    if row.fingerprint != fingerprint:
        raise Problem(
            422,
            "Cette clé d'idempotence a déjà servi pour une autre requête : choisissez "
            "une nouvelle clé pour chaque nouvelle déclaration.",
            slug="idempotency-key-reused",
        )
    return row.status_code, row.response


def _record(*, token_id: int, key: str, fingerprint: str, status: int, body: dict) -> bool:
    """Keep the answer given to this key; False when the key was already taken (one
    statement, no savepoint; PostgreSQL and SQLite alike)."""
    table = IdempotencyKey._meta.db_table
    with statement_cursor(connection) as cursor:  # the same statement every time: prepared
        cursor.execute(
            f"INSERT INTO {table} (token_id, key, fingerprint, status_code, response, created_at) "  # noqa: S608 - our table's name
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (token_id, key) DO NOTHING RETURNING id",
            [
                token_id,
                key,
                fingerprint,
                status,
                json.dumps(body, cls=DjangoJSONEncoder),
                connection.ops.adapt_datetimefield_value(clock.now()),
            ],
        )
        return cursor.fetchone() is not None
