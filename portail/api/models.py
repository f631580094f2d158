"""Access tokens for landlords' software, idempotency keys, webhook endpoints and deliveries."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portail.accounts.models import Landlord
from portail.common import clock
from portail.events.models import DomainEvent
from portail.portfolios.models import Portfolio


class ApiToken(models.Model):
    """An access token: its HMAC digest only (the token itself is shown once, never stored).

    It acts for the user who made it, on the portfolios chosen among that user's own, reading
    always and declaring when ``can_declare``; until ``expires_at`` or its revocation.
    """

    landlord = models.ForeignKey(
        Landlord, verbose_name="bailleur", on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("nom", max_length=100)
    digest = models.CharField("empreinte", max_length=64, unique=True)
    # The token's first characters, shown in the list to tell tokens apart (not enough to use).
    prefix = models.CharField("début du jeton", max_length=12)
    can_declare = models.BooleanField("peut déclarer", default=False)
    portfolios = models.ManyToManyField(Portfolio, verbose_name="parcs", related_name="+")
    created_at = models.DateTimeField("créé le", default=clock.now)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="révoqué par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("dernière adresse", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'accès"
        verbose_name_plural = "jetons d'accès"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="token_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scopes(self) -> list[str]:
        return ["read", "declare"] if self.can_declare else ["read"]


class ApiTokenAddress(models.Model):
    """An address a token was used from; a new one is an audit event."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="addresses")
    ip = models.GenericIPAddressField("adresse IP")
    first_seen_at = models.DateTimeField("vue le", default=clock.now)

    class Meta:
        verbose_name = "adresse d'utilisation"
        constraints = [
            models.UniqueConstraint(fields=["token", "ip"], name="one_row_per_token_address")
        ]

    def __str__(self) -> str:
        return f"{self.ip} ({self.first_seen_at:%d/%m/%Y})"


class IdempotencyKey(models.Model):
    """The answer given to a request carrying an ``Idempotency-Key``, replayed to its retries.

    ``fingerprint`` is the SHA-256 of the method, path and body: the same key with another
    request is refused. Kept 24 hours (IDEMPOTENCY_KEY_HOURS), then purged.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("clé", max_length=255)
    fingerprint = models.CharField("empreinte de la requête", max_length=64)
    status_code = models.PositiveSmallIntegerField("code de réponse")
    response = models.JSONField("réponse")
    created_at = models.DateTimeField("le", default=clock.now, db_index=True)

    class Meta:
        verbose_name = "clé d'idempotence"
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class WebhookEndpoint(models.Model):
    """An HTTPS address of a landlord's software, told of the events it chose.

    The signing secret is not stored: it is HMAC(SECRET_KEY, ``secret_salt``), computed when
    signing (webhooks.signing_secret), shown once when the endpoint is registered.
    """

    landlord = models.ForeignKey(
        Landlord, verbose_name="bailleur", on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField("adresse", max_length=500)
    kinds = models.JSONField("événements", default=list)
    secret_salt = models.CharField("sel du secret", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", default=clock.now)

    class Meta:
        verbose_name = "adresse de notification"
        verbose_name_plural = "adresses de notification"

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to deliver to one endpoint: the webhooks' outbox row (at least once)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        DELIVERED = "delivered", "Remise"
        FAILED = "failed", "Abandonnée"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("état", max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    queued_at = models.DateTimeField("mise en file", default=clock.now)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=clock.now)
    delivered_at = models.DateTimeField("remise le", null=True, blank=True)
    response_status = models.PositiveSmallIntegerField("code reçu", null=True, blank=True)
    response_excerpt = models.CharField("début de la réponse", max_length=500, blank=True)
    last_error = models.CharField("dernière erreur", max_length=300, blank=True)

    class Meta:
        verbose_name = "envoi de notification"
        verbose_name_plural = "envois de notification"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"
