"""Writes of the outbox: queue a message in the caller's transaction, deliver it later.

Call from the transaction of the event that causes the message (a rollback leaves none)::

    queue_message(
        user=user,                       # the recipient (AUTH_USER_MODEL)
        kind="lost_password",            # what the message is about (free text, for staff)
        channel=Message.Channel.EMAIL,   # or Message.Channel.LETTER
        template="lost_password",        # see "Templates" below
        context={"...": "..."},          # JSON data for the template; never a secret
        carries_temporary_password=True, # a new temporary password is issued at delivery
        temporary_password_valid_for=timedelta(hours=24),  # None: the issuer's default
        subject=None,                    # None: rendered from <template>_subject.txt
        email=None,                      # None: the user's own address (e-mails only)
    ) -> Message

Templates: a name without "/" is one of ours, ``correspondence/messages/<name>``; a name with
"/" is a template path prefix of another app (``accounts/messages/access_email``). From the
prefix P: ``P.html`` the body as an HTML fragment (no <html>, no <h1>; the layout adds the
agency, the user number, the subject and the footer), ``P.txt`` the plain-text body (optional:
the fragment stripped of tags otherwise), ``P_subject.txt`` the subject. Templates see the
context plus what the registered recipient describer says of the user (``registry.py``:
``identifier``, ``user_number`` (1234 5678 90), ``recipient_name``, kept on the row),
``site_url``, ``agency_name``, ``agency_phone``, ``sent_on`` (27/11/2026), ``sent_on_long``
(27 novembre 2026, for sentences), ``is_letter``, and, for a message that carries one,
``password`` (groups of four; masked in the history) and ``password_expires_at`` /
``password_expires_on``. Include ``correspondence/messages/_credentials.html`` for the
identifier/password block.

Delivery is at least once; a message recorded as sent is never sent again. The row is claimed
under a row lock (``select_for_update(skip_locked=True)`` on PostgreSQL; SQLite has one writer)
and marked sent in the same transaction as the send, so a worker killed mid-send leaves the
message queued and it is sent again later.

Secrets (temporary password, e-mail code): made by the issuer the owning app registered
(``registry.py``), inside the delivery's savepoint, so a failed send rolls the issue
back (the previous password keeps working). When the SMTP server took the e-mail but the
worker died before recording it, the retry issues another password, which supersedes the
first: the latest e-mail received is the one that works.
"""

import contextlib
import datetime
import functools
import logging
import os
import random
import tempfile
import time
from contextlib import nullcontext
from email.utils import formataddr, parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F

from portail.common import clock

from . import registry, rendering, rules
from .models import Message
from .outage import record_sent_after_outage

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30
# How many times a worker waits for SQLite's write lock before leaving it to the next sweep.
LOCKED_RETRIES = 200


class SecretInContextError(ValueError):
    """Template data that would store a secret in clear."""


class NoAddressError(ValueError):
    """A message whose recipient has no e-mail or postal address."""


@transaction.atomic
def queue_message(
    *,
    user,
    kind: str,
    channel: str,
    template: str,
    context: dict | None = None,
    carries_temporary_password: bool = False,
    temporary_password_valid_for: datetime.timedelta | None = None,
    carries_confirmation_code: bool = False,
    subject: str | None = None,
    email: str | None = None,
) -> Message:
    """Put an e-mail or a letter in the outbox, in the caller's transaction; sent after commit.

    ``email`` sends an e-mail to another address than the recipient's own (e.g. the former
    contact address, told that it was replaced). The row keeps a snapshot of the destination and
    of what the registered describer says of the recipient (identifier, user number, name).
    """
    context = context or {}
    if not rules.context_holds_no_secret(context):
        raise SecretInContextError("The outbox never stores a secret; issue it at delivery.")
    recipient = registry.describe_recipient(user)
    message = Message(
        kind=kind,
        channel=channel,
        recipient=user,
        template=template,
        context={**recipient.details, **context},
        carries_temporary_password=carries_temporary_password,
        temporary_password_validity=temporary_password_valid_for,
        carries_confirmation_code=carries_confirmation_code,
        email=(email or recipient.email) if channel == Message.Channel.EMAIL else "",
        address=recipient.address_lines if channel == Message.Channel.LETTER else [],
    )
    message.subject = (
        subject
        or rendering.subject_of(
            template=template, context=rendering.masked_context(message=message)
        )
    )[:200]
    message.save()
    transaction.on_commit(lambda: _enqueue_delivery(message_id=message.pk))
    logger.info(
        "message_queued id=%s kind=%s channel=%s user=%s", message.pk, kind, channel, user.pk
    )
    return message


def requeue_failed_message(*, message_id: int) -> bool:
    """Put a failed message back in the outbox for a new 24-hour delivery period, delivered
    after commit; False when the message is not failed (sent meanwhile, or already re-queued)."""
    now = clock.now()
    updated = Message.objects.filter(pk=message_id, status=Message.Status.FAILED).update(
        status=Message.Status.QUEUED, next_attempt_at=now, queued_at=now
    )
    if updated:
        transaction.on_commit(lambda: _enqueue_delivery(message_id=message_id))
    return bool(updated)


def _enqueue_delivery(*, message_id: int, run_after: datetime.datetime | None = None) -> None:
    from .tasks import deliver_message_task

    task = deliver_message_task.using(run_after=run_after) if run_after else deliver_message_task
    try:
        task.enqueue(message_id)
    except Exception:  # the sweep (deliver_outbox) delivers it anyway
        logger.exception("message_enqueue_failed id=%s", message_id)


def _due_messages():
    return Message.objects.filter(
        status=Message.Status.QUEUED, next_attempt_at__lte=clock.now()
    ).order_by("next_attempt_at", "pk")


def _claim(*, message_id: int | None) -> Message | None:
    """Lock one due message (skipping those another worker holds) and count the attempt."""
    due = _due_messages()
    if message_id is not None:
        due = due.filter(pk=message_id)
    message = (
        due.select_related("recipient__landlord")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )
    if message is None:
        return None
    if not db_connection.features.has_select_for_update:
        # SQLite: a write first takes the database's write lock before anything is sent.
        Message.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
    message.attempts += 1  # saved with the outcome, in the same transaction
    return message


def _write_spool_file(*, name: str, content: bytes) -> Path:
    """Write a letter to the print spool, readable by its owner only (0600), atomically."""
    spool = Path(settings.LETTER_SPOOL_DIR)
    spool.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=spool, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, 0o600)
        os.replace(temporary, spool / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return spool / name


def _send(message: Message, connection) -> None:
    """Issue any password or code, render with it, send or spool; keep the masked copy."""
    password, expires_at, code = None, None, None
    if message.carries_temporary_password:
        issued = registry.issue_secret(registry.TEMPORARY_PASSWORD, message=message)
        password, expires_at = issued.clear, issued.expires_at
    if message.carries_confirmation_code:
        code = registry.issue_secret(registry.CONFIRMATION_CODE, message=message).clear
    context = rendering.message_context(
        message=message, password=password, password_expires_at=expires_at, code=code
    )
    secret = password or code
    masked = rendering.masked_context(message=message, password_expires_at=expires_at)
    if message.channel == Message.Channel.EMAIL:
        if not message.email:
            raise NoAddressError("Pas d'adresse mail pour ce destinataire.")
        sent = rendering.render_email(message=message, context=context)
        email = email_of(message, sent)
        email.connection = connection
        email.send()
        history = rendering.render_email(message=message, context=masked) if secret else sent
    else:
        if not message.address:
            raise NoAddressError("Pas d'adresse postale pour ce destinataire.")
        letter = rendering.render_letter(message=message, context=context)
        _write_spool_file(name=message.spool_name, content=rendering.letter_pdf(html=letter.html))
        history = rendering.render_letter(message=message, context=masked) if secret else letter
    message.body_text = history.text
    message.body_html = history.fragment


def email_of(message: Message, sent: rendering.Rendered) -> EmailMultiAlternatives:
    """The e-mail of a rendered message: text and HTML, from the agency, our Message-ID."""
    email = EmailMultiAlternatives(
        subject=sent.subject,
        body=sent.text,
        from_email=formataddr((f"{settings.AGENCY_NAME} – Espace bailleur", _sender())),
        to=[message.email],
        headers={"Message-ID": f"<courrier-{message.pk}@{_mail_domain()}>"},
    )
    email.attach_alternative(sent.html, "text/html")
    return email


def _sender() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def _mail_domain() -> str:
    return _sender().rpartition("@")[2] or "localhost"


# What sending changes on a message's row: written by one UPDATE of these columns by its key.
SENT_COLUMNS = ("status", "sent_at", "last_error", "body_text", "body_html")


@functools.cache
def _sent_statement(vendor: str) -> str:
    quote = db_connection.ops.quote_name
    columns = ", ".join(
        f"{quote(Message._meta.get_field(name).column)} = %s" for name in SENT_COLUMNS
    )
    return (
        f"UPDATE {quote(Message._meta.db_table)} SET {columns} "  # noqa: S608 - our names
        f"WHERE {quote(Message._meta.pk.column)} = %s"
    )


def _record_sent(message: Message) -> None:
    """Record the message sent: one UPDATE by primary key of the columns sending changed,
    written without the ORM's query building (the sweep does it after every e-mail; the
    attempt was counted when the message was taken)."""
    message.status = Message.Status.SENT
    message.sent_at = clock.now()
    message.last_error = ""
    values = [
        Message._meta.get_field(name).get_db_prep_save(getattr(message, name), db_connection)
        for name in SENT_COLUMNS
    ]
    with db_connection.cursor() as cursor:
        cursor.execute(_sent_statement(db_connection.vendor), [*values, message.pk])
    log_sent(message)


def log_sent(message: Message) -> None:
    logger.info(
        "message_sent id=%s channel=%s attempts=%s", message.pk, message.channel, message.attempts
    )


def _record_failure(message: Message, error: Exception) -> None:
    """Schedule the next attempt after a growing delay, or mark failed after 24 hours."""
    now = clock.now()
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    if isinstance(error, NoAddressError) or rules.gives_up(queued_at=message.queued_at, now=now):
        message.status = Message.Status.FAILED
    else:
        message.next_attempt_at = now + rules.retry_delay(attempts=message.attempts)
        when = message.next_attempt_at
        transaction.on_commit(lambda: _enqueue_delivery(message_id=message.pk, run_after=when))
    message.save(update_fields=["status", "last_error", "next_attempt_at", "attempts"])
    logger.warning(
        "message_not_sent id=%s attempts=%s status=%s error=%s",
        message.pk,
        message.attempts,
        message.status,
        type(error).__name__,
    )


def _deliver_one(*, message_id: int | None, connection) -> Message | None:
    sent = None
    try:
        with transaction.atomic():
            message = _claim(message_id=message_id)
            if message is None:
                return None
            # A savepoint around the password's issue: a failed send takes it back.
            secret = message.issues_secret_at_delivery
            savepoint = transaction.atomic() if secret else nullcontext()
            try:
                with savepoint:
                    _send(message, connection)
            except Exception as error:  # SMTP, network, spool: try again later
                _close_quietly(connection)
                _record_failure(message, error)
            else:
                sent = None if secret else message
                _record_sent(message)
        return message
    except (OperationalError, InterfaceError) as error:
        if sent is None or _database_locked(error):
            raise
        record_sent_after_outage(sent)
        return sent


def _database_locked(error: OperationalError) -> bool:
    """SQLite's single writer: another worker holds the write lock; nothing was sent."""
    return "database is locked" in str(error)


def _deliver_one_or_wait(*, message_id: int | None, connection) -> Message | None | bool:
    """Deliver one message; False when SQLite's write lock is held by another worker."""
    try:
        return _deliver_one(message_id=message_id, connection=connection)
    except OperationalError as error:
        if not _database_locked(error):
            raise
        return False


def _close_quietly(connection) -> None:
    with contextlib.suppress(Exception):  # a broken connection is reopened on the next send
        connection.close()


def _open_quietly(connection) -> None:
    with contextlib.suppress(Exception):  # a server down is recorded per message, on send
        connection.open()


def smtp_connection():
    """An SMTP connection from the e-mail settings, with a timeout so a stuck server frees us."""
    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS)


def deliver_message(*, message_id: int) -> str:
    """Deliver one message if it is still due; a message already sent is never sent again."""
    connection = smtp_connection()
    try:
        for _ in range(LOCKED_RETRIES):
            message = _deliver_one_or_wait(message_id=message_id, connection=connection)
            if message is not False:
                break
            time.sleep(random.uniform(0.01, 0.05))  # noqa: S311 - jitter, not a secret
        else:
            return "locked"
    finally:
        _close_quietly(connection)
    return message.status if message else "not_due"


def deliver_due_messages(*, limit: int | None = None) -> dict[str, int]:
    """Deliver every due message of the outbox in leased batches on one SMTP connection
    (``batches.py``); counts of sent, queued again (retry later) and failed."""
    from .batches import deliver_due_messages as deliver_in_batches

    return deliver_in_batches(limit=limit)
