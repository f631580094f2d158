"""Reads of the outbox: the landlord's history (Mes courriers) and the letters to print."""

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


def message_of_user(user, message_id: int) -> Message:
    """One message sent to this user; Message.DoesNotExist for anyone else's."""
    return correspondence_of_user(user).get(pk=message_id)


def letters_to_print() -> QuerySet[Message]:
    """Letters rendered into the spool and not yet gathered for the print service."""
    return Message.objects.filter(
        channel=Message.Channel.LETTER, status=Message.Status.SENT
    ).order_by("sent_at", "pk")
