"""Portfolios (parcs), their tenancies, and the grants that say who may see them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now

from portail.accounts.models import Landlord
from portail.common import clock


class Portfolio(models.Model):
    """A parc: a set of tenancies a landlord manages as one unit."""

    ref = models.CharField("référence Caf", max_length=32, unique=True)
    landlord = models.ForeignKey(
        Landlord, verbose_name="bailleur", on_delete=models.CASCADE, related_name="portfolios"
    )
    name = models.CharField("nom du parc", max_length=200)

    class Meta:
        verbose_name = "parc"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TenancyQuerySet(models.QuerySet):
    def update(self, **values):
        """Every UPDATE of tenancies stamps ``updated_at`` (the API's ``updated_since``), unless
        the caller sets it itself (the feed, which stamps only the rows whose values differ)."""
        values.setdefault("updated_at", clock.now())
        return super().update(**values)


class Tenancy(models.Model):
    """A dossier: one tenant (aid recipient) in one dwelling of one landlord's portfolio.

    ``updated_at`` is stamped by every write of the row through the ORM: ``save()`` of a row
    that exists and ``update()`` (TenancyQuerySet), so whatever changes what the API returns
    of a tenancy (its fields, its reported end and so its status) is found by
    ``updated_since``. A writer that changes nothing should not write (the stamp would send
    software an unchanged tenancy); raw SQL must stamp it itself."""

    recipient_number = models.CharField("numéro allocataire", max_length=13, unique=True)
    portfolio = models.ForeignKey(
        Portfolio, verbose_name="parc", on_delete=models.CASCADE, related_name="tenancies"
    )
    tenant_name = models.CharField("locataire", max_length=200)
    dwelling_address = models.CharField("logement", max_length=300)
    start_date = models.DateField("début du bail")
    end_date = models.DateField("fin du bail", null=True, blank=True)
    # The end a landlord reported (a departure, the end of their management) and the agency's
    # feed has not confirmed yet (end_date). Written by the obligations app; the rents status
    # reads the earlier of the two (rents.rules.end_of_tenancy), so rents never imports it.
    reported_end_date = models.DateField(
        "fin déclarée par le bailleur (en attente de la Caf)", null=True, blank=True
    )
    direct_payment = models.BooleanField("tiers payant", default=False)
    # When the tenancy was last created or changed: by the agency's feed (its end, address,
    # portfolio …) or by a landlord's reported end; the API's ``updated_since`` finds it. The
    # database's clock for rows written outside the ORM (COPY).
    updated_at = models.DateTimeField("modifié le", default=clock.now, db_default=Now())

    objects = TenancyQuerySet.as_manager()

    class Meta:
        verbose_name = "locataire"
        verbose_name_plural = "locataires"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="tenancy_ends_after_start",
            )
        ]
        indexes = [
            # The tenant list's orders, so its first page reads 50 index entries; the id is
            # carried (PostgreSQL) so a deep page skips its 50,000 first entries in the index
            # alone, without reading the table (SQLite indexes always carry it).
            models.Index(
                fields=["portfolio", "tenant_name", "recipient_number"],
                include=["id"],
                name="tenancy_list_order",
            ),
            models.Index(
                fields=["portfolio", "recipient_number"],
                include=["id"],
                name="tenancy_number_order",
            ),
            models.Index(fields=["portfolio", "updated_at"], name="tenancy_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_name} ({self.recipient_number})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.updated_at = clock.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)


class Grant(models.Model):
    """An habilitation: what one user of a legal landlord may do on one portfolio."""

    class Right(models.TextChoices):
        CONSULT = "consult", "Consulter"
        DECLARE = "declare", "Consulter et déclarer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="grants")
    right = models.CharField("droit", max_length=8, choices=Right.choices)

    class Meta:
        verbose_name = "habilitation"
        constraints = [
            models.UniqueConstraint(fields=["user", "portfolio"], name="one_grant_per_portfolio"),
            models.CheckConstraint(
                condition=Q(right__in=["consult", "declare"]), name="grant_right_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.portfolio} ({self.get_right_display()})"
