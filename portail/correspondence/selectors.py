"""Reads of the outbox: the landlord's history (Mes courriers), the letters to print, and the
e-mails the outbox gave up on."""

from django.db.models import QuerySet

from .models import Message

DELIVERED = (Message.Status.SENT, Message.Status.POSTED)


def correspondence_of_user(user) -> QuerySet[Message]:
    """Every e-mail and letter sent to this user, newest first (Mes courriers)."""
    return (
        Message.objects.filter(recipient=user, status__in=DELIVERED)
        .select_related("recipient")
        .order_by("-sent_at", "-pk")
    )


def correspondence_list_of_user(user) -> QuerySet[Message]:
    """Mes courriers' list: correspondence_of_user without what each message says (its
    bodies, kilobytes each; read on the message's own page)."""
    return (
        correspondence_of_user(user)
        .select_related(None)
        .only("pk", "sent_at", "channel", "subject", "context")
    )


def message_of_user(user, message_id: int) -> Message:
    """One message sent to this user; Message.DoesNotExist for anyone else's."""
    return correspondence_of_user(user).get(pk=message_id)


def letters_to_print() -> QuerySet[Message]:
    """Letters rendered into the spool and not yet gathered for the print service."""
    return Message.objects.filter(
        channel=Message.Channel.LETTER, status=Message.Status.SENT
    ).order_by("sent_at", "pk")


def failed_emails() -> QuerySet[Message]:
    """E-mails the outbox gave up on, newest first, with their last error."""
    return (
        Message.objects.filter(status=Message.Status.FAILED, channel=Message.Channel.EMAIL)
        .select_related("recipient__landlord")
        .defer("body_html", "body_text", "context")
        .order_by("-created_at", "-pk")
    )


def letters_waiting() -> int:
    """How many letters wait for the print service."""
    return letters_to_print().count()
