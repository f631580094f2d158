"""Writes of the back office that no domain app owns yet: the campaign's dates, reminders and
the export; each runs in one transaction and is audited.

An agent's actions on accounts live in ``accounts.agent_actions``, on the outbox in
``correspondence.agent_actions``, on receipts in ``rents.receipts``.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from portail.accounts.models import User
from portail.audit.services import record_agent_action
from portail.common import clock
from portail.common.formats import french_date
from portail.correspondence.bulk import queue_messages
from portail.correspondence.models import Message
from portail.feed.bulk import insert_prepared
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


# Landlords handled per transaction: a run over 1.3 million commits as it goes, and a run cut
# short (a worker killed) is finished by running it again, which queues nothing twice.
REMINDER_CHUNK = 5000
# A chunk that met a reminder written meanwhile by a parallel run is read again (rare).
REMINDER_CHUNK_TRIES = 5


# What choosing the recipient and the outbox's describer read (accounts.dispatch).
RECIPIENT_FIELDS = (
    "identifier",
    "user_number",
    "full_name",
    "email",
    "is_active",
    "is_landlord_admin",
    "landlord__kind",
    "landlord__name",
    "landlord__email",
    "landlord__address_line1",
    "landlord__address_line2",
    "landlord__postcode",
    "landlord__city",
)


def reminder_recipients(landlord_ids: list[int]) -> dict[int, User]:
    """Per landlord, the user a reminder goes to: the first active one with an e-mail address
    to write to, the account's administrators first (one query for the whole chunk)."""
    chosen: dict[int, User] = {}
    users = (
        User.objects.filter(landlord_id__in=landlord_ids, is_active=True)
        .select_related("landlord")
        .only(*RECIPIENT_FIELDS)
        .order_by("landlord_id", "-is_landlord_admin", "pk")
    )
    for user in users:
        if user.landlord_id not in chosen and user.contact_email:
            chosen[user.landlord_id] = user
    return chosen


def reminder_subject(year: int) -> str:
    """The subject (and title) of the campaign reminders of year N, the same for everyone."""
    return f"Déclarez vos loyers de juillet {year}"


def reminder_context(year: int) -> dict:
    """What every campaign reminder of year N says (the recipient's name is added per row)."""
    campaign = campaign_of_year(year)
    return {
        "title": reminder_subject(year),
        "paragraphs": [
            f"Certains loyers de juillet {year} de vos locataires ne sont pas encore déclarés. "
            "Sans eux, l'aide au logement pourrait être suspendue.",
            f"Vous pouvez les déclarer jusqu'au {french_date(campaign.closes_on)} "
            "dans votre espace bailleur.",
        ],
        "link_path": reverse("portfolios:home"),
        "link_text": "Déclarer mes loyers",
    }


def insert_reminders(pairs, *, year: int, today: datetime.date, agent: User) -> None:
    """The day's Reminder rows, (landlord id, message id) pairs, in one COPY (executemany on
    SQLite); a landlord already reminded today raises IntegrityError (unique per day)."""
    fields = {field.attname: field for field in Reminder._meta.concrete_fields}
    fixed = {"year": year, "sent_on": today, "sent_by_id": agent.pk, "created_at": clock.now()}
    shared = [fields[name].get_db_prep_save(value, connection) for name, value in fixed.items()]
    columns = [fields[name].column for name in ("landlord_id", "message_id", *fixed)]
    with connection.wrap_database_errors:
        insert_prepared(Reminder, columns, ([*pair, *shared] for pair in pairs))


def _remind_chunk(*, landlords: list, year: int, agent: User, context: dict) -> ReminderCounts:
    """Queue the reminders of one chunk of landlords in one transaction: the outbox rows in
    set-based writes, then the day's Reminder rows, whose unique (landlord, day) makes a
    second run (or a parallel one) queue nothing twice: it rolls the chunk back."""
    counts = ReminderCounts()
    today = clock.today()
    waiting = [pk for pk, reminded_today in landlords if not reminded_today]
    counts.already_today = len(landlords) - len(waiting)
    recipients = reminder_recipients(waiting)
    counts.no_email = len(waiting) - len(recipients)
    with transaction.atomic():
        message_ids = queue_messages(
            users=recipients.values(),
            kind="campaign_reminder",
            channel=Message.Channel.EMAIL,
            template=NOTICE,
            context=context,
            subject=context["title"],
        )
        insert_reminders(
            zip(recipients, message_ids, strict=True), year=year, today=today, agent=agent
        )
    counts.sent = len(message_ids)
    return counts


def send_reminders(*, year: int, agent: User, ip: str | None) -> ReminderCounts:
    """E-mail each landlord with undeclared July N rents: one per landlord, never twice a day.
    Set-based: per chunk of landlords, one read, one COPY of the outbox rows, one INSERT of
    the reminders (docs/correspondence.md, "Mass mailings")."""
    counts = ReminderCounts()
    context = reminder_context(year)
    after = 0
    while True:
        for attempt in range(REMINDER_CHUNK_TRIES):
            landlords = list(
                selectors.landlords_with_undeclared_rents(year)
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "reminded_today")[:REMINDER_CHUNK]
            )
            if not landlords:
                break
            try:
                chunk = _remind_chunk(landlords=landlords, year=year, agent=agent, context=context)
            except IntegrityError:
                if attempt == REMINDER_CHUNK_TRIES - 1:
                    raise
                continue  # a parallel run reminded some of them: read the chunk again
            break
        if not landlords:
            break
        counts.sent += chunk.sent
        counts.already_today += chunk.already_today
        counts.no_email += chunk.no_email
        after = landlords[-1][0]
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
