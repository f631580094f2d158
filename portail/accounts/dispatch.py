"""What the portal sends about credentials, handed to the correspondence outbox; and what the
outbox needs from accounts (registered at start-up by ``AccountsConfig.ready``).

Every message goes through ``portail.correspondence.services.queue_message`` inside the
caller's transaction. A temporary password is never made here: a message that carries one says
so (``carries_temporary_password=True``) and the delivery issues it at sending time through the
issuer registered with the outbox (``temporary_passwords.issue_temporary_password_for_message``):
first access and new letters leave the validity to its default (14 days by e-mail, 2 months
by letter); "Mot de passe perdu" by e-mail asks for 24 hours, by post the letter's 2 months.
The credential texts are the outbox's own (``credentials``, ``lost_identifier``,
``lost_password``); the password-changed notice and the e-mail confirmation code are ours, in
``accounts/templates/accounts/messages/``.
"""

from portail.common import clock
from portail.correspondence import registry
from portail.correspondence.rules import contact_channel
from portail.correspondence.services import queue_message

from . import rules
from .confirmation_codes import issue_email_code
from .models import Landlord, TemporaryPassword, User
from .temporary_passwords import (
    PURPOSE_RECOVERY,
    issue_temporary_password_for_message,
    temporary_password_validity,
)

EMAIL = TemporaryPassword.Channel.EMAIL
LETTER = TemporaryPassword.Channel.LETTER

# Kinds of message, as the correspondence history lists them.
FIRST_ACCESS = "credentials.first_access"
NEW_ACCESS_LETTER = "credentials.new_access_letter"
NEW_ACCESS_EMAIL = "credentials.new_access_email"
IDENTIFIER_REMINDER = "credentials.identifier_reminder"
LOST_PASSWORD = "credentials.lost_password"  # noqa: S105
LOST_PASSWORD_LETTER = "credentials.lost_password_letter"  # noqa: S105
PASSWORD_CHANGED = "credentials.password_changed"  # noqa: S105
EMAIL_CODE = "credentials.email_confirmation_code"


# --- What the outbox is told at start-up ------------------------------------------------------


def describe_recipient(user: User) -> registry.Recipient:
    """A user as the outbox sees one: contact e-mail, postal address (with "À l'attention de"
    the user for a legal landlord), and what every message shows about the user."""
    address = []
    if user.landlord_id:
        address = user.landlord.address_lines
        if user.full_name and user.landlord.is_legal:
            address = [address[0], f"À l'attention de {user.full_name}", *address[1:]]
    return registry.Recipient(
        email=user.contact_email,
        address_lines=address,
        details={
            "identifier": user.identifier,
            "user_number": rules.display_user_number(user.user_number) if user.user_number else "",
            "recipient_name": user.full_name or (user.landlord.name if user.landlord_id else ""),
        },
    )


def register_with_the_outbox() -> None:
    """Hand the outbox our recipient describer and our two secret issuers."""
    registry.register_recipient_describer(describe_recipient)
    registry.register_secret_issuer(
        registry.TEMPORARY_PASSWORD, issue_temporary_password_for_message
    )
    registry.register_secret_issuer(registry.CONFIRMATION_CODE, issue_email_code)


# --- Channels ---------------------------------------------------------------------------------


def first_access_channel(landlord: Landlord) -> str:
    """E-mail for a natural person whose e-mail the agency knows; a letter otherwise (diff. 6)."""
    return contact_channel(email=landlord.email if landlord.kind == Landlord.Kind.NATURAL else "")


def credentials_channel(user: User) -> str:
    """E-mail when the user's address is confirmed, else a letter to the landlord's address."""
    return contact_channel(email=user.email if user.email_confirmed else "")


def recovery_by_email(user: User) -> bool:
    """Whether "Mot de passe perdu" by e-mail reaches this user (a confirmed address); every
    message and page that sends a person to a recovery path chooses that path with it."""
    return credentials_channel(user) == EMAIL


# --- Messages ---------------------------------------------------------------------------------


def send_access(*, user: User, channel: str, kind: str = FIRST_ACCESS):
    """Identifier and a new temporary password, by e-mail (14 days) or letter (2 months); any
    but the first says that the earlier password stops working (difficulty 6)."""
    return queue_message(
        user=user,
        kind=kind,
        channel=channel,
        template="credentials",
        context={"replaces_earlier": kind != FIRST_ACCESS},
        carries_temporary_password=True,
    )


def send_identifier(*, user: User, channel: str):
    """The identifier alone, sent again (difficulties 1 and 3)."""
    return queue_message(
        user=user,
        kind=IDENTIFIER_REMINDER,
        channel=channel,
        template="lost_identifier",
        # Which "Mot de passe perdu" the message points to: by e-mail, or by post.
        context={"recovery_by_email": recovery_by_email(user)},
    )


def send_recovery_password(*, user: User):
    """A new temporary password by e-mail, valid 24 hours (difficulty 2)."""
    return queue_message(
        user=user,
        kind=LOST_PASSWORD,
        channel=EMAIL,
        template="lost_password",
        carries_temporary_password=True,
        temporary_password_valid_for=temporary_password_validity(
            channel=EMAIL, purpose=PURPOSE_RECOVERY, issued_at=clock.now()
        ),
    )


def send_recovery_letter(*, user: User):
    """A new temporary password by post, valid as any letter's (2 months), for a landlord
    without a confirmed e-mail who has signed in before (lost password by post)."""
    return queue_message(
        user=user,
        kind=LOST_PASSWORD_LETTER,
        channel=LETTER,
        template="lost_password",
        carries_temporary_password=True,
    )


def send_password_changed(*, user: User):
    """Tell the user by e-mail that the password was changed."""
    return queue_message(
        user=user,
        kind=PASSWORD_CHANGED,
        channel=EMAIL,
        template="accounts/messages/password_changed",
    )


def send_email_code(*, user: User, confirmation):
    """The code that confirms a newly given e-mail address (valid 30 minutes), sent to that
    address; the outbox makes the code when sending."""
    return queue_message(
        user=user,
        kind=EMAIL_CODE,
        channel=EMAIL,
        template="accounts/messages/email_code",
        context={"email_confirmation_id": confirmation.pk},
        carries_confirmation_code=True,
        email=confirmation.email,
    )
