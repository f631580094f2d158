"""The outbox: every e-mail and postal letter the agency sends, one row each."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portail.common import clock


class Message(models.Model):
    """One e-mail or letter, written in the same transaction as the event that causes it.

    ``context`` holds the data the template needs, never a clear secret; a temporary password
    is generated at delivery time (``carries_temporary_password``). ``body_text`` and
    ``body_html`` keep what was sent with any secret masked: the landlord's history.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Mail"
        LETTER = "letter", "Courrier"

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"
        POSTED = "posted", "Posté"

    kind = models.CharField("type", max_length=40)
    channel = models.CharField("canal", max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="messages",
    )
    template = models.CharField("modèle", max_length=80)
    context = models.JSONField("données", default=dict, blank=True)
    subject = models.CharField("objet", max_length=200)
    status = models.CharField("état", max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=clock.now)
    last_error = models.TextField("dernière erreur", blank=True)
    carries_temporary_password = models.BooleanField(
        "contient un mot de passe provisoire", default=False
    )
    temporary_password_validity = models.DurationField(
        "validité du mot de passe provisoire", null=True, blank=True
    )
    # The code that confirms an e-mail address (context["email_confirmation_id"]) is made at
    # delivery too, like a temporary password: the outbox never holds it.
    carries_confirmation_code = models.BooleanField(
        "contient un code de confirmation", default=False
    )
    address = models.JSONField("adresse postale", default=list, blank=True)
    email = models.EmailField("adresse mail", blank=True)
    body_text = models.TextField("texte envoyé (secrets masqués)", blank=True)
    body_html = models.TextField("HTML envoyé (secrets masqués)", blank=True)
    created_at = models.DateTimeField("créé le", default=clock.now)
    # Start of the current 24-hour delivery period (set again when staff re-queue a failure).
    queued_at = models.DateTimeField("mis en file le", default=clock.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    posted_at = models.DateTimeField("posté le", null=True, blank=True)

    class Meta:
        verbose_name = "courrier ou mail"
        verbose_name_plural = "courriers et mails"
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["email", "letter"]), name="message_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sent", "failed", "posted"]),
                name="message_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "failed"]) | Q(sent_at__isnull=False),
                name="sent_message_has_sent_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["recipient", "-sent_at"], name="message_history"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} « {self.subject} » à {self.recipient}"

    @property
    def issues_secret_at_delivery(self) -> bool:
        """A temporary password or a confirmation code is made when this message is sent."""
        return self.carries_temporary_password or self.carries_confirmation_code

    @property
    def is_letter(self) -> bool:
        return self.channel == self.Channel.LETTER

    @property
    def spool_name(self) -> str:
        """The letter's file name in the print spool."""
        return f"courrier-{self.pk:09d}.pdf"
