"""Queue many messages at once: the same template and data to many recipients, in set-based
writes (COPY on PostgreSQL, one prepared multi-row statement per batch elsewhere).

For campaign mailings (a reminder to every landlord who has not declared): one row per recipient,
exactly what ``queue_message`` would write for each, without one transaction, one INSERT and
one delivery task per message. No task is enqueued: the outbox sweep (``deliver_outbox``, one
per node under ``make serve``) delivers them in batches, so a mass mailing never stands in the
mail queue in front of a lost-password e-mail, which keeps its own task.

Runs in the caller's transaction: a rollback leaves none of the rows.
"""

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import registry, rendering, rules
from .models import Message
from .services import SecretInContextError

def message_for(*, user, kind: str, channel: str, template: str, context: dict) -> Message:
    """The unsaved row ``queue_message`` would write for this user (no secret, subject rendered
    from the template with the data as the history shows it)."""
    recipient = registry.describe_recipient(user)
    message = Message(
        kind=kind,
        channel=channel,
        recipient=user,
        template=template,
        context={**recipient.details, **context},
        email=recipient.email if channel == Message.Channel.EMAIL else "",
        address=recipient.address_lines if channel == Message.Channel.LETTER else [],
    )
    message.subject = rendering.subject_of(
        template=template, context=rendering.masked_context(message=message)
    )[:200]
    return message


def queue_messages(
    *, users: Iterable, kind: str, channel: str, template: str, context: dict
) -> list[int]:
    """Queue one message per user, all from one template and one set of data (plus what the
    registered describer says of each recipient); return their ids, in the users' order.

    ``users`` should come with what the describer reads (``select_related("landlord")`` for
    the accounts describer), or each row costs a query.
    """
    if not rules.context_holds_no_secret(context):
        raise SecretInContextError("The outbox never stores a secret; issue it at delivery.")
    messages = [
        message_for(user=user, kind=kind, channel=channel, template=template, context=context)
        for user in users
    ]
    if not messages:
        return []
    with transaction.atomic():
        return insert_messages(messages)


def insert_messages(messages: list[Message]) -> list[int]:
    """Write these unsaved rows in as few statements as the database allows; their ids."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        created = Message.objects.bulk_create(messages)
        return [message.pk for message in created]
    table = Message._meta.db_table
    with db.cursor() as cursor:
        # Ids taken from the table's own sequence, so COPY needs no RETURNING.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(messages)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for message, pk in zip(messages, ids, strict=True):
            message.pk = pk
        copy_rows(cursor, (row_of(message) for message in messages))
    return ids


COLUMNS = [field for field in Message._meta.concrete_fields]
JSON_COLUMNS = {field.attname for field in COLUMNS if field.get_internal_type() == "JSONField"}


def row_of(message: Message) -> list:
    """A row in COPY's order and form (JSON as text; other values as psycopg adapts them)."""
    return [
        json.dumps(getattr(message, field.attname), cls=DjangoJSONEncoder)
        if field.attname in JSON_COLUMNS
        else getattr(message, field.attname)
        for field in COLUMNS
    ]


def copy_rows(cursor, rows: Iterable[list]) -> None:
    """COPY rows (in ``row_of``'s order) into the outbox table (PostgreSQL)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    # Table and column names come from the model; every value is COPY data.
    names = ", ".join(quote(field.column) for field in COLUMNS)
    with cursor.copy(f"COPY {quote(Message._meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
