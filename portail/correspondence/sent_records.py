"""The sweep's "sent" records, written while the next e-mail is already going.

Each e-mail of a batch is recorded ``sent`` right after the SMTP server's "250" (one UPDATE by
key, ``services._record_sent``). Waiting for PostgreSQL's answer to each UPDATE cost the worker
a round trip an e-mail, about a fifth of its time. On PostgreSQL, in autocommit (the sweep's
mode), ``record`` sends the UPDATE without waiting; ``confirm`` waits for its answer, and the
sweep calls it after the server's 354 to the next e-mail's DATA, before that e-mail's end
(``smtp.send``), and before any other use of the database. So the guarantee is unchanged: no
e-mail is accepted by the SMTP server before the one ahead of it is recorded, and a worker
killed at any point leaves at most the one e-mail in flight accepted but not recorded. An
UPDATE that fails (the database going away) is recorded again as soon as the database answers
(``outage.record_sent_after_outage``), before anyone sends the e-mail again.

Elsewhere (SQLite, inside a transaction, or while queries are logged, as in tests that count
them) ``record`` writes and waits, as before, and ``confirm`` has nothing to do.
"""

import datetime
import functools
import select

import psycopg
from django.db import connection as db_connection

from portail.common import clock

from . import services
from .models import Message
from .outage import record_sent_after_outage

COMMAND_OK = psycopg.pq.ExecStatus.COMMAND_OK


@functools.cache
def _statement() -> bytes:
    """The UPDATE of ``services.SENT_COLUMNS`` by key, with libpq's numbered parameters."""
    columns = ", ".join(
        f'"{Message._meta.get_field(name).column}" = ${number}'
        for number, name in enumerate(services.SENT_COLUMNS, start=1)
    )
    return (
        f'UPDATE "{Message._meta.db_table}" SET {columns} '  # noqa: S608 - our names
        f'WHERE "{Message._meta.pk.column}" = ${len(services.SENT_COLUMNS) + 1}'
    ).encode()


def _text(value) -> bytes:
    """A parameter in PostgreSQL's text format (the client encoding is UTF-8)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat().encode()
    return str(value).encode()


def _wait(fd: int, events: int) -> None:
    poller = select.poll()
    poller.register(fd, events)
    poller.poll()


class SentRecords:
    """The "sent" records of one batch: at most one waits for its answer."""

    def __init__(self):
        self.pending: Message | None = None

    def record(self, message: Message) -> None:
        """Record ``message`` sent; on PostgreSQL in autocommit, without waiting."""
        self.confirm()
        if not _can_overlap():
            services._record_sent(message)
            return
        message.status = Message.Status.SENT
        message.sent_at = clock.now()
        message.last_error = ""
        values = [getattr(message, name) for name in services.SENT_COLUMNS]
        self.pending = message
        pgconn = db_connection.connection.pgconn
        try:
            pgconn.send_query_params(_statement(), [*map(_text, values), _text(message.pk)])
            pgconn.flush()  # what the socket takes now; the rest at ``confirm``
        except psycopg.Error:
            self.confirm()

    def confirm(self) -> None:
        """Wait until the last record is written (or written again after an outage)."""
        message, self.pending = self.pending, None
        if message is None:
            return
        try:
            _check(_results(db_connection.connection.pgconn))
        except psycopg.Error:
            record_sent_after_outage(message)  # accepted: record it before anyone sends it again
        services.log_sent(message)


def _can_overlap() -> bool:
    return (
        db_connection.vendor == "postgresql"
        and db_connection.connection is not None
        and db_connection.get_autocommit()
        and not db_connection.in_atomic_block
        and not db_connection.queries_logged
    )


def _results(pgconn) -> list:
    """The results of the query sent, read without holding the interpreter while waiting."""
    while pgconn.flush():
        _wait(pgconn.socket, select.POLLIN | select.POLLOUT)
        pgconn.consume_input()
    results = []
    while True:
        pgconn.consume_input()
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                return results
            results.append(result)
        _wait(pgconn.socket, select.POLLIN)


def _check(results: list) -> None:
    if not results:
        raise psycopg.OperationalError("no answer to the sent record")
    for result in results:
        if result.status != COMMAND_OK:
            raise psycopg.errors.error_from_result(result)
