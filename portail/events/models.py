"""Business events a landlord's software may be told about (webhooks), one row each.

The domain apps record them (``services.emit``) in the transaction of the change they
describe; layers above (the API) subscribe at start-up and deliver them. This app imports
nothing but accounts: any domain app may record an event without knowing who listens.
"""

import uuid

from django.db import models

from portail.accounts.models import Landlord
from portail.common import clock


class Kind(models.TextChoices):
    """What happened. The French labels are what the "Accès pour vos logiciels" page shows."""

    FILE_CHECKED = "file.checked", "Fichier de loyers vérifié"
    FILE_RECORDED = "file.recorded", "Fichier de loyers enregistré"
    ACKNOWLEDGEMENT_READY = "acknowledgement.ready", "Accusé de réception disponible"
    RECEIPT_VALIDATED = "receipt.validated", "Quittance validée"
    RECEIPT_REJECTED = "receipt.rejected", "Quittance refusée"
    PAYMENT_POSTED = "payment.posted", "Paiements reçus de la Caf"


class DomainEvent(models.Model):
    """One thing that happened to a landlord's data; ``id`` is what receivers de-duplicate on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("type", max_length=40, choices=Kind.choices)
    landlord = models.ForeignKey(
        Landlord, verbose_name="bailleur", on_delete=models.CASCADE, related_name="+"
    )
    portfolio_id = models.BigIntegerField("parc", null=True, blank=True)
    # Identifiers and plain values only (no personal record, no secret): see services.emit.
    data = models.JSONField("données", default=dict)
    occurred_at = models.DateTimeField("date", default=clock.now)

    class Meta:
        verbose_name = "événement métier"
        verbose_name_plural = "événements métier"
        indexes = [models.Index(fields=["landlord", "-occurred_at"], name="event_of_landlord")]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%d/%m/%Y %H:%M}"
