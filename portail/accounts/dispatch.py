"""What the portal sends about credentials, handed to the correspondence outbox.

Every message goes through ``portail.correspondence.services.queue_message`` inside the
caller's transaction. A temporary password is never made here: a message that carries one says
so (``carries_temporary_password=True``) and the delivery task issues it at sending time with
``accounts.temporary_passwords.issue_temporary_password(user=..., channel=..., valid_for=...)``:
first access and new letters leave ``valid_for`` to its default (14 days by e-mail, 2 months
by letter); "Mot de passe perdu" by e-mail asks for 24 hours, by letter the letter's 2 months.
The credential texts are the outbox's own
(``credentials``, ``lost_identifier``, ``lost_password``); the password-changed notice and the
e-mail confirmation code are ours, in ``accounts/templates/accounts/messages/``.
"""

from django.utils.module_loading import import_string

from portail.common import clock

from . import rules
from .models import TemporaryPassword, User
from .temporary_passwords import PURPOSE_RECOVERY, temporary_password_validity

EMAIL = TemporaryPassword.Channel.EMAIL
LETTER = TemporaryPassword.Channel.LETTER

# Kinds of message, as the correspondence history lists them.
FIRST_ACCESS = "credentials.first_access"
NEW_ACCESS_LETTER = "credentials.new_access_letter"
IDENTIFIER_REMINDER = "credentials.identifier_reminder"
LOST_PASSWORD = "credentials.lost_password"  # noqa: S105
LOST_PASSWORD_LETTER = "credentials.lost_password_letter"  # noqa: S105
PASSWORD_CHANGED = "credentials.password_changed"  # noqa: S105
EMAIL_CODE = "credentials.email_confirmation_code"

_QUEUE = "portail.correspondence.services.queue_message"


def _queue(**kwargs):
    return import_string(_QUEUE)(**kwargs)


def _base_context(user: User) -> dict:
    return {
        "identifier": user.identifier,
        "user_number": rules.display_user_number(user.user_number or ""),
        "full_name": user.full_name,
        # Which "Mot de passe perdu" the message may point to (by e-mail, or by letter).
        "recovery_by_email": rules.has_recovery_email(user),
    }


def send_access(*, user: User, channel: str, kind: str = FIRST_ACCESS):
    """Identifier and a new temporary password, by e-mail (14 days) or letter (2 months); any
    but the first says that the earlier password stops working (difficulty 6)."""
    return _queue(
        user=user,
        kind=kind,
        channel=channel,
        template="credentials",
        context=_base_context(user) | {"replaces_earlier": kind != FIRST_ACCESS},
        carries_temporary_password=True,
    )


def send_identifier(*, user: User, channel: str):
    """The identifier alone, sent again (difficulties 1 and 3)."""
    return _queue(
        user=user,
        kind=IDENTIFIER_REMINDER,
        channel=channel,
        template="lost_identifier",
        context=_base_context(user),
    )


def send_recovery_password(*, user: User):
    """A new temporary password by e-mail, valid 24 hours (difficulty 2)."""
    return _queue(
        user=user,
        kind=LOST_PASSWORD,
        channel=EMAIL,
        template="lost_password",
        context=_base_context(user),
        carries_temporary_password=True,
        temporary_password_valid_for=temporary_password_validity(
            channel=EMAIL, purpose=PURPOSE_RECOVERY, issued_at=clock.now()
        ),
    )


def send_recovery_letter(*, user: User):
    """A new temporary password by letter, valid as any letter's (2 months), for a landlord
    without a confirmed e-mail who has signed in before (lost password by post)."""
    return _queue(
        user=user,
        kind=LOST_PASSWORD_LETTER,
        channel=LETTER,
        template="lost_password",
        context=_base_context(user),
        carries_temporary_password=True,
    )


def send_password_changed(*, user: User):
    """Tell the user by e-mail that the password was changed."""
    return _queue(
        user=user,
        kind=PASSWORD_CHANGED,
        channel=EMAIL,
        template="accounts/messages/password_changed",
        context=_base_context(user),
    )


def send_email_code(*, user: User, confirmation):
    """The code that confirms a newly given e-mail address (valid 30 minutes), sent to that
    address; the outbox makes the code when sending."""
    return _queue(
        user=user,
        kind=EMAIL_CODE,
        channel=EMAIL,
        template="accounts/messages/email_code",
        context=_base_context(user) | {"email_confirmation_id": confirmation.pk},
        carries_confirmation_code=True,
        email=confirmation.email,
    )
