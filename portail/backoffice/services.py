"""Writes of the back office that no domain app owns yet: the campaign's dates, reminders and
the export; each runs in one transaction and is audited.

An agent's actions on accounts live in ``accounts.agent_actions``, on the outbox in
``correspondence.agent_actions``, on receipts in ``rents.receipts``.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from portail.accounts.models import Landlord, User
from portail.audit.services import record_agent_action
from portail.common import clock
from portail.common.formats import french_date
from portail.correspondence.models import Message
from portail.correspondence.services import queue_message
from portail.rents.models import RentCampaign
from portail.rents.selectors import campaign_of_year

from . import selectors
from .models import Reminder

NOTICE = "notice"


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
