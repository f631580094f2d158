"""Receipts of July N-1 rents (difficulty 9): a landlord sends one, an agent validates or
rejects it; the landlord is told either way."""

import logging
from decimal import Decimal

import filetype
from django.db import transaction
from django.urls import reverse

from portail.audit.services import record_agent_action
from portail.common import clock
from portail.common.formats import french_amount, french_date
from portail.correspondence.rules import contact_channel
from portail.correspondence.services import queue_message
from portail.portfolios.models import Portfolio, Tenancy

from . import events, rules
from .declarations import DeclarationRefused, check_may_declare, record_current_rent
from .models import JulyRent, Receipt
from .tenant_list import with_rents

log = logging.getLogger(__name__)

RECEIPT_MAX_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def receipt_content_type(head: bytes) -> str | None:
    """The file's type read from its content (PDF, JPEG or PNG), whatever its name says."""
    kind = filetype.guess(head)
    return kind.mime if kind is not None and kind.mime in RECEIPT_TYPES else None


@transaction.atomic
def submit_receipt(
    *, user, portfolio: Portfolio, tenancy: Tenancy, amount: Decimal, upload
) -> Receipt:
    """Send the July N-1 receipt of a tenant whose N-1 rent the agency lacks (difficulty 9)."""
    check_may_declare(user, portfolio)
    if tenancy.portfolio_id != portfolio.pk:
        raise DeclarationRefused("Ce locataire n'est pas dans ce parc.")
    year = rules.campaign_year(clock.today()) - 1
    status = (
        with_rents(Tenancy.objects.filter(pk=tenancy.pk), year=year + 1)
        .values_list("status", flat=True)
        .first()
    )
    if status != rules.Status.RECEIPT:
        raise DeclarationRefused(
            f"La Caf connaît déjà le loyer de juillet {year} de ce locataire, ou ne le demande "
            "pas : aucune quittance n'est à envoyer."
        )
    if upload.size > RECEIPT_MAX_BYTES:
        raise DeclarationRefused("Le fichier dépasse 10 Mo : envoyez une photo moins lourde.")
    upload.seek(0)
    content_type = receipt_content_type(upload.read(2048))
    upload.seek(0)
    if content_type is None:
        raise DeclarationRefused(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : envoyez la quittance "
            "dans l'un de ces formats."
        )
    if Receipt.objects.filter(tenancy=tenancy, year=year, status=Receipt.Status.PENDING).exists():
        raise DeclarationRefused(
            f"Une quittance de juillet {year} est déjà en cours de vérification pour ce locataire."
        )
    receipt = Receipt(
        tenancy=tenancy, year=year, amount=amount, content_type=content_type, submitted_by=user
    )
    receipt.file.save("quittance", upload, save=False)
    receipt.save()
    log.info("receipt_submitted tenancy=%s year=%s", tenancy.pk, year)
    return receipt


# --- An agent's decision ----------------------------------------------------------------------

REJECTION_REASONS = {
    "unreadable": "La quittance est illisible.",
    "wrong_month": "La quittance ne concerne pas le mois de juillet demandé.",
    "wrong_tenant": "La quittance ne concerne pas ce locataire ou ce logement.",
    "amount_missing": "Le montant du loyer n'apparaît pas sur la quittance.",
    "other": "La quittance ne peut pas être acceptée.",
}


def rejection_reason(reason_code: str, details: str = "") -> str:
    """The reason a landlord reads: the chosen reason from the list, then the agent's words."""
    return f"{REJECTION_REASONS[reason_code]} {details.strip()}".strip()


def _pending_receipt_locked(receipt: Receipt) -> Receipt:
    """The receipt locked for the agent's decision, with what the decision and its message
    read (tenancy, sender and landlord)."""
    return (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("tenancy", "submitted_by__landlord")
        .get(pk=receipt.pk)
    )


@transaction.atomic
def validate_receipt(
    *, receipt: Receipt, agent, amount: Decimal | None = None, ip: str | None = None
) -> Receipt:
    """An agent validates a receipt at the amount read on it (the one declared when not given):
    the July N-1 rent is known, the landlord is told that July N can now be declared
    (difficulty 9); the decision is audited."""
    receipt = _pending_receipt_locked(receipt)
    if receipt.status != Receipt.Status.PENDING:
        return receipt
    declared = receipt.amount
    amount = declared if amount is None else amount
    now = clock.now()
    receipt.amount = amount
    receipt.status = Receipt.Status.VALIDATED
    receipt.reviewed_by = agent
    receipt.reviewed_at = now
    receipt.save(update_fields=["amount", "status", "reviewed_by", "reviewed_at"])
    record_current_rent(
        tenancy_id=receipt.tenancy_id,
        year=receipt.year,
        values={
            "amount": amount,
            "source": JulyRent.Source.RECEIPT,
            "recorded_at": now,
            "recorded_by": agent,
        },
    )
    _queue_receipt_validated(receipt)
    events.receipt_decided(receipt)
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
    log.info("receipt_validated receipt=%s", receipt.pk)
    return receipt


def _queue_receipt_validated(receipt: Receipt) -> None:
    """Tell the landlord's user who sent the receipt that July N can now be declared."""
    tenancy = receipt.tenancy
    queue_message(
        user=receipt.submitted_by,
        kind="receipt_validated",
        channel=contact_channel(email=receipt.submitted_by.contact_email),
        template="rents/messages/receipt_validated",
        context={
            "tenant_name": tenancy.tenant_name,
            "recipient_number": tenancy.recipient_number,
            "year": receipt.year,
            "next_year": receipt.year + 1,
            "amount_fr": french_amount(receipt.amount),
            "link_path": reverse(
                "rents:declare",
                kwargs={"portfolio_id": tenancy.portfolio_id, "tenancy_id": tenancy.pk},
            ),
        },
    )


@transaction.atomic
def reject_receipt(*, receipt: Receipt, agent, reason: str, ip: str | None = None) -> Receipt:
    """An agent refuses a receipt (unreadable, wrong month) with the reason the landlord reads
    (rejection_reason); the landlord is told and may send another; the decision is audited."""
    receipt = _pending_receipt_locked(receipt)
    if receipt.status != Receipt.Status.PENDING:
        return receipt
    receipt.status = Receipt.Status.REJECTED
    receipt.reviewed_by = agent
    receipt.reviewed_at = clock.now()
    receipt.rejection_reason = reason
    receipt.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
    _queue_receipt_rejected(receipt)
    events.receipt_decided(receipt)
    record_agent_action(
        action="staff.receipt_rejected",
        agent=agent,
        target=receipt.tenancy.recipient_number,
        reason=reason,
        ip=ip,
        receipt=receipt.pk,
    )
    return receipt


def _queue_receipt_rejected(receipt: Receipt) -> None:
    """Tell the landlord's user who sent the receipt why it was refused and what to do."""
    tenancy = receipt.tenancy
    queue_message(
        user=receipt.submitted_by,
        kind="receipt_rejected",
        channel=contact_channel(email=receipt.submitted_by.contact_email),
        template="notice",
        context={
            "title": f"Votre quittance de juillet {receipt.year} n'a pas pu être acceptée",
            "paragraphs": [
                f"La Caf n'a pas pu valider la quittance de juillet {receipt.year} envoyée "
                f"le {french_date(receipt.submitted_at)} pour {tenancy.tenant_name} "
                f"(numéro allocataire {tenancy.recipient_number}).",
                f"Motif : {receipt.rejection_reason}",
                "Vous pouvez envoyer une nouvelle quittance depuis votre espace bailleur.",
            ],
            "link_path": reverse("rents:tenants", kwargs={"portfolio_id": tenancy.portfolio_id}),
        },
    )
