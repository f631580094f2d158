""" "Identifiant perdu" and "Mot de passe perdu" as the forms ask for them: the request does the
same work whether or not an account matches, so neither its answer nor its time tells.

The request queues one task (a database row) in every case and the worker does the rest:
finding the account, writing the message, issuing the temporary password. Only the lost
identifier's documented exception (difficulty 6: a first letter posted less than 10 days ago
and never used) is answered at once; its lookup is the one query every request makes.
"""

import datetime

from portail.common import clock

from . import rules, services
from .models import User
from .tasks import remind_identifier_task, reset_password_by_letter_task, reset_password_task


def letter_to_confirm(*, user_number: str) -> datetime.datetime | None:
    """When the never-used first letter of this user number was posted, if less than 10 days
    ago: the landlord must confirm before another is sent (difficulty 6)."""
    user = User.objects.filter(
        user_number=user_number, landlord__isnull=False, is_active=True
    ).first()
    if user is None or not services.never_used_letter(user):
        return None
    sent_at = user.credentials_letter_sent_at
    return sent_at if rules.letter_is_recent(sent_at, clock.now()) else None


def ask_identifier(*, user_number: str, ip: str | None) -> services.IdentifierRequest:
    """The lost identifier form's request: a confirmation to ask, or the sending queued."""
    sent_at = letter_to_confirm(user_number=user_number)
    if sent_at is not None:
        return services.IdentifierRequest(needs_confirmation=True, letter_sent_at=sent_at)
    remind_identifier_task.enqueue(user_number, ip)
    return services.IdentifierRequest()


def ask_password(*, email: str, ip: str | None) -> None:
    """The lost password form's request: a new temporary password for each account with
    this confirmed e-mail, queued."""
    reset_password_task.enqueue(email, ip)


def ask_password_by_letter(*, user_number: str, ip: str | None) -> None:
    """The lost password by post form's request: a new temporary password for this user
    number (by post, or by e-mail when the account has a confirmed one), queued."""
    reset_password_by_letter_task.enqueue(user_number, ip)
