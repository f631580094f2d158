"""The maintained read model of a tenancy in a campaign: its status and July rents kept by every
write (rents.campaign_state), so the tenant list filters and sorts on an index and the campaign
dashboard reads counts instead of scanning the year's tenancies."""

from django.db import models
from django.db.models import Q

from portail.portfolios.models import Portfolio, Tenancy

STATUSES = ["to_declare", "declared", "receipt", "not_required"]


class CampaignStateYear(models.Model):
    """A campaign year whose states are built and kept: the tenant list reads them, every write
    keeps them. Written once, at the campaign's turn of year (campaign_years.build_year)."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    built_at = models.DateTimeField("construit le")

    class Meta:
        verbose_name = "année de campagne suivie"
        verbose_name_plural = "années de campagne suivies"

    def __str__(self) -> str:
        return f"États de la campagne {self.year}"


class TenancyCampaignState(models.Model):
    """One tenancy in the campaign of year N, as rules.declaration_status sees it, with what the
    tenant list sorts by: the tenant's name and number (copied from the tenancy) and the July
    N and N-1 rents as sort keys (the amount, -1 when unknown, so unknown rents come first in
    ascending order on every engine). ``concerned``: a tenant in July N; ``landlord_declared``:
    the landlord declared the July N rent (rents.selectors.declared_in), for the dashboard."""

    # No index of their own: the unique (tenancy, year) and the list's indexes (portfolio
    # first) serve the joins and the cascades; each index costs every refresh.
    # No constraint in the database either (db_constraint=False): the states are derived data
    # (manage.py rebuild_campaign_state rebuilds them), every state is written from its
    # tenancy's row in the same statement, and every deletion of a tenancy or a portfolio goes
    # through Django's collector, which deletes their states (CASCADE, and tenancy_deleting
    # for the counts). The two deferred foreign-key checks cost a quarter of the insert of a
    # file's 100,000 states (docs/performance.md).
    tenancy = models.ForeignKey(
        Tenancy,
        verbose_name="locataire",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    portfolio = models.ForeignKey(
        Portfolio,
        verbose_name="parc",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField("année")
    status = models.CharField("statut", max_length=12)
    tenant_name = models.CharField("locataire", max_length=200)
    recipient_number = models.CharField("numéro allocataire", max_length=13)
    rent_current_key = models.DecimalField("loyer de juillet N", max_digits=9, decimal_places=2)
    rent_previous_key = models.DecimalField("loyer de juillet N-1", max_digits=9, decimal_places=2)
    concerned = models.BooleanField("locataire en juillet N")
    landlord_declared = models.BooleanField("déclaré par le bailleur")

    class Meta:
        verbose_name = "état d'un locataire dans une campagne"
        verbose_name_plural = "états des locataires dans les campagnes"
        constraints = [
            models.UniqueConstraint(fields=["tenancy", "year"], name="one_state_per_campaign"),
            models.CheckConstraint(condition=Q(status__in=STATUSES), name="state_status_known"),
        ]
        indexes = [
            # Filter by status (in the list's default order), and the sort by status.
            models.Index(
                fields=["portfolio", "year", "status", "tenant_name", "recipient_number"],
                include=["tenancy"],
                name="state_status_order",
            ),
            models.Index(
                fields=["portfolio", "year", "rent_current_key", "recipient_number"],
                include=["tenancy"],
                name="state_rent_order",
            ),
            models.Index(
                fields=["portfolio", "year", "rent_previous_key", "recipient_number"],
                include=["tenancy"],
                name="state_previous_rent_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_number} en {self.year} : {self.status}"


class CampaignStatusCount(models.Model):
    """How many tenancies of a portfolio have a status in the campaign of year N, how many of
    them are concerned (tenants in July N) and how many the landlord declared: kept with the
    states, in the same transactions, so the dashboard sums a few rows per portfolio."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name="parc", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField("année")
    status = models.CharField("statut", max_length=12)
    tenancies = models.IntegerField("locataires", default=0)
    concerned = models.IntegerField("locataires en juillet N", default=0)
    declared = models.IntegerField("déclarés par le bailleur", default=0)

    class Meta:
        verbose_name = "décompte d'une campagne"
        verbose_name_plural = "décomptes des campagnes"
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "year", "status"], name="one_count_per_status"
            ),
        ]
        # The portfolio's counts: the unique constraint's index; the year's: this one.
        indexes = [models.Index(fields=["year", "portfolio"], name="count_year_portfolio")]

    def __str__(self) -> str:
        return f"Parc {self.portfolio_id} en {self.year} : {self.tenancies} {self.status}"
