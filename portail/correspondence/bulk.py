"""Queue many messages at once: the same template and data to many recipients, in set-based
writes (COPY on PostgreSQL, one prepared executemany elsewhere).

For campaign mailings (a reminder to every landlord who has not declared): one row per
recipient, exactly what ``queue_message`` would write for each, without one transaction, one
INSERT and one delivery task per message. No task is enqueued: the outbox sweep
(``deliver_outbox``, one per node under ``make serve``) delivers them in batches, so a mass
mailing never stands in the mail queue in front of a lost-password e-mail, which keeps its own
task.

Runs in the caller's transaction: a rollback leaves none of the rows. The ids are taken from
the table's own sequence before the write, so the caller gets them without RETURNING (on
SQLite, under the write lock every transaction takes first: ``transaction_mode`` IMMEDIATE).
"""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from portail.common import clock

from . import registry, rendering, rules
from .models import Message
from .services import SecretInContextError

FIELDS = list(Message._meta.concrete_fields)
# What differs from one row to the next; every other column is the same for the whole call.
VARYING = ("id", "recipient_id", "context", "subject", "email", "address")


def row_for(*, user, channel: str, template: str, context: dict, subject: str | None) -> dict:
    """What ``queue_message`` would write for this user that differs per recipient: the
    snapshot of the describer's data, the destination, the subject (given, or rendered from
    the template with the data as the history shows it)."""
    recipient = registry.describe_recipient(user)
    row = {
        "recipient_id": user.pk,
        "context": {**recipient.details, **context},
        "email": recipient.email if channel == Message.Channel.EMAIL else "",
        "address": recipient.address_lines if channel == Message.Channel.LETTER else [],
    }
    if subject is None:
        shown = Message(
            channel=channel,
            template=template,
            recipient=user,
            context=row["context"],
            email=row["email"],
            address=row["address"],
        )
        subject = rendering.subject_of(
            template=template, context=rendering.masked_context(message=shown)
        )
    row["subject"] = subject[:200]
    return row


def queue_messages(
    *,
    users: Iterable,
    kind: str,
    channel: str,
    template: str,
    context: dict,
    subject: str | None = None,
) -> list[int]:
    """Queue one message per user, all from one template and one set of data (plus what the
    registered describer says of each recipient); return their ids, in the users' order.

    ``users`` should come with what the describer reads (``select_related("landlord")`` for
    the accounts describer), or each row costs a query. ``subject``: the same for all, when
    the caller knows it (rendering it per row is most of a row's cost); None renders it.
    """
    if not rules.context_holds_no_secret(context):
        raise SecretInContextError("The outbox never stores a secret; issue it at delivery.")
    rows = [
        row_for(user=user, channel=channel, template=template, context=context, subject=subject)
        for user in users
    ]
    if not rows:
        return []
    now = clock.now()
    fixed = Message(kind=kind, channel=channel, template=template, next_attempt_at=now)
    fixed.created_at = fixed.queued_at = now
    with transaction.atomic():
        ids = allocate_ids(len(rows))
        insert_rows(prepared_rows(fixed, ids, rows))
    return ids


def allocate_ids(count: int) -> list[int]:
    """The next ``count`` ids of the outbox table, reserved for this transaction's rows."""
    db = connections[DEFAULT_DB_ALIAS]
    table = Message._meta.db_table
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT MAX(last) FROM (SELECT MAX(id) AS last FROM "  # noqa: S608 - our table
            f"{db.ops.quote_name(table)} UNION ALL "
            "SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        last = cursor.fetchone()[0] or 0
    return list(range(last + 1, last + 1 + count))


def prepared_rows(fixed: Message, ids: list[int], rows: list[dict]) -> Iterable[list]:
    """Rows in ``FIELDS`` order and the database's form: the columns every row shares are
    prepared once (``fixed``), the varying ones per row."""
    db = connections[DEFAULT_DB_ALIAS]
    shared = [
        None
        if field.attname in VARYING
        else field.get_db_prep_save(field.value_from_object(fixed), db)
        for field in FIELDS
    ]
    varying = [
        (index, field.attname, field.get_internal_type() == "JSONField")
        for index, field in enumerate(FIELDS)
        if field.attname in VARYING and field.attname != "id"
    ]
    id_index = [field.attname for field in FIELDS].index("id")
    for pk, row in zip(ids, rows, strict=True):
        values = list(shared)
        values[id_index] = pk
        for index, name, is_json in varying:
            value = row[name]
            values[index] = FIELDS[index].get_db_prep_save(value, db) if is_json else value
        yield values


def insert_rows(rows: Iterable[list]) -> None:
    """Write prepared rows (``prepared_rows``) into the outbox table: COPY on PostgreSQL, one
    prepared executemany elsewhere; a unique or foreign-key refusal is Django's own error."""
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    # Table and column names come from the model; every value is a parameter or COPY data.
    table = quote(Message._meta.db_table)
    names = ", ".join(quote(field.column) for field in FIELDS)
    with db.wrap_database_errors, db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(FIELDS))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, list(rows))
