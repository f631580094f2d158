"""Writes of the back office that no domain app owns yet: receipts, the campaign's dates,
reminders and the export; each runs in one transaction and is audited.

An agent's actions on accounts live in ``accounts.agent_actions``, on the outbox in
``correspondence.agent_actions``.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from portail.accounts.models import Landlord, User
from portail.audit.services import record_agent_action
from portail.common import clock
from portail.common.formats import french_date
from portail.correspondence.models import Message
from portail.correspondence.rules import contact_channel
from portail.correspondence.services import queue_message
from portail.rents import services as rent_services
from portail.rents.models import Receipt, RentCampaign
from portail.rents.selectors import campaign_of_year

from . import selectors
from .models import Reminder

NOTICE = "notice"


# --- Receipts ---------------------------------------------------------------------------------

REJECTION_REASONS = {
    "unreadable": "La quittance est illisible.",
    "wrong_month": "La quittance ne concerne pas le mois de juillet demandé.",
    "wrong_tenant": "La quittance ne concerne pas ce locataire ou ce logement.",
    "amount_missing": "Le montant du loyer n'apparaît pas sur la quittance.",
    "other": "La quittance ne peut pas être acceptée.",
}


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
    record_agent_action(
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
        tenancy = receipt.tenancy
        queue_message(
            user=user,
            kind="receipt_rejected",
            channel=contact_channel(email=user.contact_email),
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
    record_agent_action(
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
    record_agent_action(
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
        if user.contact_email:
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
    record_agent_action(
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
    record_agent_action(
        action="staff.rents_exported", agent=agent, target=f"campagne {year}", reason="", ip=ip
    )
