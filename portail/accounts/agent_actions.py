"""What an agency agent does to a landlord's account, from the back office: each action takes
the acting agent and the reason given, runs in one transaction and is audited."""

from django.db import transaction

from portail.audit.services import record_agent_action
from portail.common import clock
from portail.correspondence.models import Message
from portail.correspondence.services import queue_message

from . import dispatch, lockout
from .models import Landlord, User
from .temporary_passwords import retire_temporary_passwords


@transaction.atomic
def resend_identifier(*, user: User, agent: User, reason: str, ip: str | None) -> str:
    """Send the identifier again by the user's channel (difficulties 1 and 3)."""
    channel = dispatch.credentials_channel(user)
    dispatch.send_identifier(user=user, channel=channel)
    record_agent_action(
        action="staff.identifier_resent",
        agent=agent,
        target=user.identifier,
        reason=reason,
        ip=ip,
        channel=channel,
    )
    return channel


@transaction.atomic
def issue_new_temporary_password(*, user: User, agent: User, reason: str, ip: str | None) -> str:
    """A new temporary password, issued at delivery, by e-mail if confirmed, else by letter."""
    channel = dispatch.credentials_channel(user)
    if channel == dispatch.LETTER:
        user.credentials_letter_sent_at = clock.now()
        user.save(update_fields=["credentials_letter_sent_at"])
        dispatch.send_access(user=user, channel=channel, kind=dispatch.NEW_ACCESS_LETTER)
    else:
        dispatch.send_access(user=user, channel=channel, kind=dispatch.NEW_ACCESS_EMAIL)
    record_agent_action(
        action="staff.temporary_password_issued",
        agent=agent,
        target=user.identifier,
        reason=reason,
        ip=ip,
        channel=channel,
    )
    return channel


@transaction.atomic
def unlock_user(*, user: User, agent: User, reason: str, ip: str | None) -> None:
    """Lift the lock-out of a user's identifier (difficulty 7)."""
    lockout.unlock(identifier=user.identifier)
    record_agent_action(
        action="staff.unlocked", agent=agent, target=user.identifier, reason=reason, ip=ip
    )


@transaction.atomic
def change_user_email(*, user: User, agent: User, email: str, reason: str, ip: str | None) -> None:
    """Record the e-mail the landlord gave by phone; the former address is told of the change."""
    email = email.strip()
    if user.email and user.email_confirmed and user.email.lower() != email.lower():
        queue_message(
            user=user,
            kind="staff.email_changed",
            channel=Message.Channel.EMAIL,
            template="notice",
            context={
                "title": "Votre adresse mail a été changée",
                "paragraphs": [
                    "À votre demande, un agent de la Caf a remplacé l'adresse mail de votre "
                    "compte. Les prochains messages seront envoyés à la nouvelle adresse.",
                    "Si vous n'êtes pas à l'origine de cette demande, appelez votre Caf.",
                ],
            },
        )
    user.email, user.email_confirmed = email, True
    user.save(update_fields=["email", "email_confirmed"])
    record_agent_action(
        action="staff.email_changed",
        agent=agent,
        target=user.identifier,
        reason=reason,
        ip=ip,
        field="email",
    )


@transaction.atomic
def change_landlord_address(
    *,
    landlord: Landlord,
    agent: User,
    address_line1: str,
    address_line2: str,
    postcode: str,
    city: str,
    reason: str,
    ip: str | None,
) -> None:
    """Record the postal address the landlord gave; letters go there from now on."""
    landlord.address_line1, landlord.address_line2 = address_line1, address_line2
    landlord.postcode, landlord.city = postcode, city
    landlord.updated_at = clock.now()
    landlord.save(
        update_fields=["address_line1", "address_line2", "postcode", "city", "updated_at"]
    )
    record_agent_action(
        action="staff.address_changed",
        agent=agent,
        target=landlord.ref,
        reason=reason,
        ip=ip,
        field="address",
    )


@transaction.atomic
def disable_user(*, user: User, agent: User, reason: str, ip: str | None) -> None:
    """Disable a user: its sessions end for good (User.save), its temporary passwords stop."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    retire_temporary_passwords(user=user)
    record_agent_action(
        action="staff.user_disabled", agent=agent, target=user.identifier, reason=reason, ip=ip
    )
