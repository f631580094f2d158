"""Known July rents, one per tenancy and year."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portail.common import clock
from portail.portfolios.models import Tenancy


class JulyRent(models.Model):
    """The rent of July of one year for one tenancy; it sets the aid from January of the next."""

    class Source(models.TextChoices):
        FEED = "feed", "Transmis par la Caf"
        ONLINE = "online", "Déclaré en ligne"
        RECEIPT = "receipt", "Quittance validée"
        IMPORT = "import", "Fichier déposé"

    tenancy = models.ForeignKey(
        Tenancy, verbose_name="locataire", on_delete=models.CASCADE, related_name="july_rents"
    )
    year = models.PositiveSmallIntegerField("année")
    amount = models.DecimalField("montant", max_digits=9, decimal_places=2)
    source = models.CharField("origine", max_length=8, choices=Source.choices)
    recorded_at = models.DateTimeField("enregistré le", default=clock.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "loyer de juillet"
        verbose_name_plural = "loyers de juillet"
        constraints = [
            models.UniqueConstraint(fields=["tenancy", "year"], name="one_july_rent_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="july_rent_not_negative"),
            models.CheckConstraint(
                condition=Q(source__in=["feed", "online", "receipt", "import"]),
                name="july_rent_source_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Loyer de juillet {self.year} – {self.tenancy}"
