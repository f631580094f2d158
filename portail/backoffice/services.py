"""Writes of the back office: each agent action runs in one transaction and is audited.

Credential messages go through accounts.dispatch, receipts through rents.services, letters
through correspondence.letters; only what no app offers is written here.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from portail.accounts import dispatch, lockout
from portail.accounts.models import Landlord, User
from portail.accounts.temporary_passwords import retire_temporary_passwords
from portail.audit.services import record_event
from portail.common import clock
from portail.common.formats import french_date
from portail.correspondence.letters import LetterBatch, gather_letters
from portail.correspondence.models import Message
from portail.correspondence.services import queue_message
from portail.rents import services as rent_services
from portail.rents.models import Receipt, RentCampaign
from portail.rents.selectors import campaign_of_year

from . import selectors
from .models import Reminder

NOTICE = "notice"


def _audit(*, action: str, agent: User, target: str, reason: str, ip: str | None, **details):
    record_event(
        action=action,
        actor=agent,
        target=target,
        ip=ip,
        details={"agent": agent.full_name or agent.identifier, "reason": reason, **details},
    )


def credentials_channel(user: User) -> str:
    """E-mail when the user's address is confirmed, else a letter to the landlord's address."""
    return dispatch.EMAIL if user.email and user.email_confirmed else dispatch.LETTER


# --- Helping a landlord -----------------------------------------------------------------------


@transaction.atomic
def resend_identifier(*, user: User, agent: User, reason: str, ip: str | None) -> str:
    """Send the identifier again by the user's channel (difficulties 1 and 3)."""
    channel = credentials_channel(user)
    dispatch.send_identifier(user=user, channel=channel)
    _audit(
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
    channel = credentials_channel(user)
    if channel == dispatch.LETTER:
        user.credentials_letter_sent_at = clock.now()
        user.save(update_fields=["credentials_letter_sent_at"])
        dispatch.send_access(user=user, channel=channel, kind=dispatch.NEW_ACCESS_LETTER)
    else:
        dispatch.send_access(user=user, channel=channel, kind="credentials.new_access_email")
    _audit(
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
    lockout.clear_failures(identifier=user.identifier)
    _audit(action="staff.unlocked", agent=agent, target=user.identifier, reason=reason, ip=ip)


@transaction.atomic
def change_user_email(*, user: User, agent: User, email: str, reason: str, ip: str | None) -> None:
    """Record the e-mail the landlord gave by phone; the former address is told of the change."""
    email = email.strip()
    if user.email and user.email_confirmed and user.email.lower() != email.lower():
        queue_message(
            user=user,
            kind="staff.email_changed",
            channel=Message.Channel.EMAIL,
            template=NOTICE,
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
    _audit(
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
    _audit(
        action="staff.address_changed",
        agent=agent,
        target=landlord.ref,
        reason=reason,
        ip=ip,
        field="address",
    )


@transaction.atomic
def disable_user(*, user: User, agent: User, reason: str, ip: str | None) -> None:
    """Disable a user: its sessions end at their next request, its temporary passwords stop."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    retire_temporary_passwords(user=user)
    _audit(action="staff.user_disabled", agent=agent, target=user.identifier, reason=reason, ip=ip)


# --- Receipts ---------------------------------------------------------------------------------

REJECTION_REASONS = {
    "unreadable": "La quittance est illisible.",
    "wrong_month": "La quittance ne concerne pas le mois de juillet demandé.",
    "wrong_tenant": "La quittance ne concerne pas ce locataire ou ce logement.",
    "amount_missing": "Le montant du loyer n'apparaît pas sur la quittance.",
    "other": "La quittance ne peut pas être acceptée.",
}
# The reason and the agent's details are stored together in Receipt.rejection_reason.
REJECTION_DETAILS_MAX_LENGTH = (
    Receipt._meta.get_field("rejection_reason").max_length
    - max(len(reason) for reason in REJECTION_REASONS.values())
    - 1
)


@transaction.atomic
def validate_receipt(*, receipt: Receipt, agent: User, amount: Decimal, ip: str | None) -> Receipt:
    """Validate a July N-1 receipt at the amount the agent read on it; the landlord is e-mailed."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status != Receipt.Status.PENDING:
        return receipt
    declared = receipt.amount
    if amount != declared:
        receipt.amount = amount
        receipt.save(update_fields=["amount"])
    receipt = rent_services.validate_receipt(receipt=receipt, staff_user=agent)
    _audit(
        action="staff.receipt_validated",
        agent=agent,
        target=receipt.tenancy.recipient_number,
        reason="",
        ip=ip,
        receipt=receipt.pk,
        amount=str(amount),
        declared_amount=str(declared),
    )
    return receipt


@transaction.atomic
def reject_receipt(
    *, receipt: Receipt, agent: User, reason_code: str, details: str, ip: str | None
) -> Receipt:
    """Refuse a receipt with a reason from the list and the agent's words; the landlord is told."""
    reason = REJECTION_REASONS[reason_code]
    text = f"{reason} {details.strip()}".strip()
    started = clock.now()
    if Receipt.objects.select_for_update().get(pk=receipt.pk).status != Receipt.Status.PENDING:
        return receipt
    receipt = rent_services.reject_receipt(receipt=receipt, staff_user=agent, reason=text)
    receipt = Receipt.objects.select_related("tenancy", "submitted_by__landlord").get(pk=receipt.pk)
    already_told = Message.objects.filter(
        recipient=receipt.submitted_by, kind="receipt_rejected", created_at__gte=started
    ).exists()
    if not already_told:
        user = receipt.submitted_by
        has_email = bool(user.email or (user.landlord_id and user.landlord.email))
        tenancy = receipt.tenancy
        queue_message(
            user=user,
            kind="receipt_rejected",
            channel=Message.Channel.EMAIL if has_email else Message.Channel.LETTER,
            template=NOTICE,
            context={
                "title": f"Votre quittance de juillet {receipt.year} n'a pas pu être acceptée",
                "paragraphs": [
                    f"La Caf n'a pas pu valider la quittance de juillet {receipt.year} envoyée "
                    f"le {french_date(receipt.submitted_at)} pour {tenancy.tenant_name} "
                    f"(numéro allocataire {tenancy.recipient_number}).",
                    f"Motif : {text}",
                    "Vous pouvez envoyer une nouvelle quittance depuis votre espace bailleur.",
                ],
                "link_path": reverse(
                    "portfolios:tenants", kwargs={"portfolio_id": tenancy.portfolio_id}
                ),
            },
        )
    _audit(
        action="staff.receipt_rejected",
        agent=agent,
        target=receipt.tenancy.recipient_number,
        reason=text,
        ip=ip,
        receipt=receipt.pk,
    )
    return receipt


# --- Campaign ---------------------------------------------------------------------------------


@transaction.atomic
def set_campaign_dates(
    *,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    agent: User,
    ip: str | None,
) -> RentCampaign:
    """Set the opening and closing days of the campaign of year N."""
    campaign, _ = RentCampaign.objects.update_or_create(
        year=year, defaults={"opens_on": opens_on, "closes_on": closes_on}
    )
    _audit(
        action="staff.campaign_dates",
        agent=agent,
        target=f"campagne {year}",
        reason="",
        ip=ip,
        opens_on=opens_on.isoformat(),
        closes_on=closes_on.isoformat(),
    )
    return campaign


@dataclass
class ReminderCounts:
    sent: int = 0
    already_today: int = 0
    no_email: int = 0


def _reminder_recipient(landlord: Landlord) -> User | None:
    users = landlord.users.filter(is_active=True).order_by("-is_landlord_admin", "pk")
    for user in users:
        if user.email or landlord.email:
            return user
    return None


def send_reminders(*, year: int, agent: User, ip: str | None) -> ReminderCounts:
    """E-mail each landlord with undeclared July N rents: one per landlord, never twice a day."""
    counts = ReminderCounts()
    today = clock.today()
    campaign = campaign_of_year(year)
    for landlord in selectors.landlords_with_undeclared_rents(year).iterator():
        user = _reminder_recipient(landlord)
        if user is None:
            counts.no_email += 1
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    landlord=landlord, year=year, sent_on=today, sent_by=agent
                )
                reminder.message = queue_message(
                    user=user,
                    kind="campaign_reminder",
                    channel=Message.Channel.EMAIL,
                    template=NOTICE,
                    context={
                        "title": f"Déclarez vos loyers de juillet {year}",
                        "paragraphs": [
                            f"Certains loyers de juillet {year} de vos locataires ne sont pas "
                            "encore déclarés. Sans eux, l'aide au logement pourrait être "
                            "suspendue.",
                            f"Vous pouvez les déclarer jusqu'au {french_date(campaign.closes_on)} "
                            "dans votre espace bailleur.",
                        ],
                        "link_path": reverse("portfolios:home"),
                        "link_text": "Déclarer mes loyers",
                    },
                )
                reminder.save(update_fields=["message"])
        except IntegrityError:
            counts.already_today += 1
            continue
        counts.sent += 1
    _audit(
        action="staff.campaign_reminders",
        agent=agent,
        target=f"campagne {year}",
        reason="",
        ip=ip,
        sent=counts.sent,
        already_today=counts.already_today,
        no_email=counts.no_email,
    )
    return counts


def record_export(*, year: int, agent: User, ip: str | None) -> None:
    """Note in the journal that an agent exported the declared rents of a year."""
    _audit(action="staff.rents_exported", agent=agent, target=f"campagne {year}", reason="", ip=ip)


# --- Correspondence ---------------------------------------------------------------------------


@transaction.atomic
def retry_message(*, message: Message, agent: User, ip: str | None) -> bool:
    """Put a failed e-mail back in the outbox for a new 24-hour delivery period."""
    now = clock.now()
    updated = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=Message.Status.QUEUED, next_attempt_at=now, queued_at=now
    )
    if not updated:
        return False
    from portail.correspondence.tasks import deliver_message_task

    transaction.on_commit(lambda: _enqueue(deliver_message_task, message.pk))
    _audit(
        action="staff.message_retried",
        agent=agent,
        target=message.recipient.identifier,
        reason="",
        ip=ip,
        message=message.pk,
    )
    return True


def _enqueue(task, message_id: int) -> None:
    try:
        task.enqueue(message_id)
    except Exception:  # noqa: BLE001 - the outbox sweep delivers it anyway
        return


def print_letters(*, agent: User, ip: str | None) -> LetterBatch:
    """Gather the day's letters into one PDF to print; they are marked posted."""
    batch = gather_letters()
    _audit(
        action="staff.letters_batch",
        agent=agent,
        target=batch.path.name if batch.path else "",
        reason="",
        ip=ip,
        count=batch.count,
        missing=len(batch.missing),
    )
    return batch


def record_batch_download(*, name: str, agent: User, ip: str | None) -> None:
    _audit(action="staff.letters_batch_downloaded", agent=agent, target=name, reason="", ip=ip)
