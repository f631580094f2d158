"""Direct payments (tiers payant): the aid the agency paid a landlord for a tenancy and a month,
and each portfolio's monthly totals, kept by the only writer (the feed)."""

from django.db import models
from django.db.models import Q

from portail.portfolios.models import Portfolio, Tenancy


class Payment(models.Model):
    """One payment of housing aid made to the landlord for one tenancy and one month.

    ``portfolio`` and ``recipient_number`` repeat the tenancy's so that a month of a portfolio
    is one range of the ``payment_month_order`` index, in the page's order; the feed keeps
    them in line when a tenancy moves (payments.services.follow_moved_tenancies)."""

    reference = models.CharField("référence du paiement", max_length=32, unique=True)
    # No index of their own: payment_tenancy_period and payment_month_order begin with them
    # (each index costs the feed's bulk insert of a year of payments).
    tenancy = models.ForeignKey(
        Tenancy,
        verbose_name="locataire",
        on_delete=models.CASCADE,
        related_name="payments",
        db_index=False,
    )
    portfolio = models.ForeignKey(
        Portfolio, verbose_name="parc", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    recipient_number = models.CharField("numéro allocataire", max_length=13)
    period = models.DateField("mois")  # its first day
    amount = models.DecimalField("montant", max_digits=9, decimal_places=2)
    paid_on = models.DateField("versé le")

    class Meta:
        verbose_name = "paiement"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_not_negative"),
        ]
        indexes = [
            # One month of one portfolio in the page's order: a page is 50 index entries, the
            # id carried (PostgreSQL) so a deep page skips its first entries in the index alone.
            models.Index(
                fields=["portfolio", "period", "recipient_number", "reference"],
                include=["id"],
                name="payment_month_order",
            ),
            models.Index(fields=["tenancy", "period"], name="payment_tenancy_period"),
        ]

    def __str__(self) -> str:
        return f"Paiement {self.reference}"


class PaymentMonth(models.Model):
    """How many payments a portfolio received for one month and their total: the page's
    totals without adding up 100,000 rows. Rewritten by payments.services.refresh_month_totals
    after every write of payments (the feed's import is the only one)."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name="parc", on_delete=models.CASCADE, related_name="+"
    )
    period = models.DateField("mois")
    payment_count = models.PositiveIntegerField("nombre de paiements")
    total = models.DecimalField("total", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "total mensuel des paiements"
        verbose_name_plural = "totaux mensuels des paiements"
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "period"], name="one_total_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio_id} {self.period:%Y-%m}"
