"""Known July rents, one per tenancy and year."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from portail.common import clock
from portail.portfolios.models import Portfolio, Tenancy


class JulyRent(models.Model):
    """The rent of July of one year for one tenancy; it sets the aid from January of the next.

    When a landlord declared it (online or by file), this row is the current version of that
    declaration: ``submission`` is the sending that carried it, ``version`` its number (1 for
    a first declaration), ``recorded_by``/``recorded_at`` who sent it and when. Both are null
    for a rent the agency knows otherwise (its feed, a validated receipt): no landlord's
    declaration is current then. The versions a correction replaced are kept, as they were
    sent, in ``RentDeclaration``.
    """

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
    submission = models.ForeignKey(
        "RentSubmission",
        verbose_name="envoi",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="current_rents",
    )
    version = models.PositiveIntegerField("version déclarée", null=True, blank=True)

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
            # A declared rent names its sending and its version; any other rent neither.
            models.CheckConstraint(
                condition=Q(submission__isnull=True, version__isnull=True)
                | Q(submission__isnull=False, version__gte=1),
                name="july_rent_declared_with_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Loyer de juillet {self.year} – {self.tenancy}"


class RentCampaign(models.Model):
    """The yearly collection of July rents of year N; staff set its dates in the back office."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")

    class Meta:
        verbose_name = "campagne loyers"
        verbose_name_plural = "campagnes loyers"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=F("opens_on")), name="campaign_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"Campagne loyers de juillet {self.year}"

    def save(self, *args, **kwargs):
        from .rules import default_campaign_dates

        opens, closes = default_campaign_dates(self.year)
        self.opens_on = self.opens_on or opens
        self.closes_on = self.closes_on or closes
        super().save(*args, **kwargs)

    def clean(self):
        """The admin's form: the dates lie in the span campaign N is current (rules)."""
        from .rules import campaign_dates_error, campaign_years

        years = campaign_years(clock.today())
        if self.year not in years:
            raise ValidationError({"year": f"Choisissez une année de {years[0]} à {years[-1]}."})
        if self.opens_on and self.closes_on:
            error = campaign_dates_error(
                year=self.year, opens_on=self.opens_on, closes_on=self.closes_on
            )
            if error is not None:
                raise ValidationError({error[0]: error[1]})

    def is_open_on(self, day) -> bool:
        """Whether declarations and corrections are taken on this day (rules.campaign_is_open)."""
        from .rules import campaign_is_open

        return campaign_is_open(opens_on=self.opens_on, closes_on=self.closes_on, today=day)


class IrlQuarter(models.Model):
    """A published value of the reference rent index (IRL, INSEE); staff keep the table."""

    year = models.PositiveSmallIntegerField("année")
    quarter = models.PositiveSmallIntegerField("trimestre")
    value = models.DecimalField("valeur", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "indice de référence des loyers"
        verbose_name_plural = "indices de référence des loyers"
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_irl_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__in=[1, 2, 3, 4]), name="irl_quarter_1_4"),
            models.CheckConstraint(condition=Q(value__gt=0), name="irl_positive"),
        ]

    def __str__(self) -> str:
        return f"IRL T{self.quarter} {self.year} : {self.value}"


class RentSubmission(models.Model):
    """One sending of July rents (one tenancy on screen, or a file): what an acknowledgement lists.

    ``token`` is the form's idempotency key: a replayed submission finds the first one.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", "Saisie en ligne"
        IMPORT = "import", "Fichier déposé"

    portfolio = models.ForeignKey(
        Portfolio,
        verbose_name="parc",
        on_delete=models.CASCADE,
        related_name="rent_submissions",
    )
    year = models.PositiveSmallIntegerField("année")
    channel = models.CharField("canal", max_length=8, choices=Channel.choices)
    token = models.UUIDField("jeton", unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("le", default=clock.now)

    class Meta:
        verbose_name = "envoi de loyers"
        verbose_name_plural = "envois de loyers"

    def __str__(self) -> str:
        return f"Envoi n° {self.pk} du {self.submitted_at:%d/%m/%Y}"


class RentDeclaration(models.Model):
    """A superseded version of the declaration of a July rent, kept as it was sent.

    The current version lives on the ``JulyRent`` row itself; when a correction (or a rent the
    agency records otherwise) replaces it, its values are copied here first, in the same
    transaction. History + current row = every version, with who and when: none is lost.
    """

    submission = models.ForeignKey(
        RentSubmission,
        verbose_name="envoi",
        on_delete=models.CASCADE,
        related_name="superseded_versions",
    )
    tenancy = models.ForeignKey(
        Tenancy,
        verbose_name="locataire",
        on_delete=models.CASCADE,
        related_name="superseded_versions",
    )
    year = models.PositiveSmallIntegerField("année")
    version = models.PositiveIntegerField("version")
    amount = models.DecimalField("montant", max_digits=9, decimal_places=2)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("le", default=clock.now)

    class Meta:
        verbose_name = "version remplacée d'une déclaration de loyer"
        verbose_name_plural = "versions remplacées des déclarations de loyer"
        ordering = ["tenancy_id", "year", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenancy", "year", "version"], name="one_declaration_per_version"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="declared_rent_positive"),
        ]

    def __str__(self) -> str:
        return f"Loyer de juillet {self.year} – {self.tenancy_id} (version {self.version})"


def receipt_path(instance, filename: str) -> str:
    return f"quittances/{instance.year}/{uuid.uuid4().hex}"


class Receipt(models.Model):
    """A July N-1 rent receipt sent by the landlord when the agency lacks that rent (diff. 9)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En cours de vérification"
        VALIDATED = "validated", "Validée"
        REJECTED = "rejected", "Refusée"

    tenancy = models.ForeignKey(
        Tenancy, verbose_name="locataire", on_delete=models.CASCADE, related_name="receipts"
    )
    year = models.PositiveSmallIntegerField("année du loyer")
    amount = models.DecimalField("montant déclaré", max_digits=9, decimal_places=2)
    file = models.FileField("fichier", upload_to=receipt_path)
    content_type = models.CharField("type", max_length=32)
    status = models.CharField("état", max_length=9, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyée par",
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("envoyée le", default=clock.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vérifiée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("vérifiée le", null=True, blank=True)
    rejection_reason = models.CharField("motif du refus", max_length=300, blank=True)

    class Meta:
        verbose_name = "quittance"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenancy", "year"],
                condition=Q(status="pending"),
                name="one_pending_receipt_per_year",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "validated", "rejected"]),
                name="receipt_status_known",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Quittance de juillet {self.year} – {self.tenancy}"


def bulk_file_path(instance, filename: str) -> str:
    return f"depots/{uuid.uuid4().hex}"


class BulkImport(models.Model):
    """A file of July rents (recipient_number,amount) deposited for one portfolio."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Vérification en cours"
        CHECKED = "checked", "Vérifié"
        RECORDING = "recording", "Enregistrement en cours"
        RECORDED = "recorded", "Enregistré"
        FAILED = "failed", "Illisible"

    portfolio = models.ForeignKey(
        Portfolio,
        verbose_name="parc",
        on_delete=models.CASCADE,
        related_name="bulk_imports",
    )
    year = models.PositiveSmallIntegerField("année")
    file = models.FileField("fichier", upload_to=bulk_file_path)
    filename = models.CharField("nom du fichier", max_length=200)
    status = models.CharField("état", max_length=9, choices=Status.choices)
    total_lines = models.PositiveIntegerField("lignes", default=0)
    processed_lines = models.PositiveIntegerField("lignes traitées", default=0)
    # [[line, recipient_number, message], ...]: the first bulk.ERRORS_KEPT; error_count counts all.
    errors = models.JSONField("erreurs", default=list)
    error_count = models.PositiveIntegerField("erreurs", default=0)
    # How the file was read, in French: its encoding when not UTF-8, columns ignored.
    notes = models.JSONField("remarques de lecture", default=list, blank=True)
    # The valid lines, one "line<TAB>tenancy id<TAB>amount" each (up to 100,000: plain text is
    # written and read back many times faster than the same rows as JSON).
    valid_lines = models.TextField("lignes valides", blank=True, default="")
    valid_count = models.PositiveIntegerField("lignes valides", default=0)
    # [[line, why the amount asks for a confirmation], ...]: the few valid lines to confirm.
    warnings = models.JSONField("montants à confirmer", default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", default=clock.now)
    submission = models.OneToOneField(
        RentSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the last recording in the background did not happen (French, for the landlord).
    refusal = models.CharField("motif du non-enregistrement", max_length=300, blank=True)

    class Meta:
        verbose_name = "fichier de loyers"
        verbose_name_plural = "fichiers de loyers"

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 * self.processed_lines // self.total_lines if self.total_lines else 0

    @property
    def total_errors(self) -> int:
        """Every error of the file, those kept in full and those only counted."""
        return max(self.error_count, len(self.errors))

    @property
    def warning_count(self) -> int:
        return len(self.warnings)

    def valid_amounts(self) -> list[tuple[int, str]]:
        """(tenancy id, amount as "650.50") of each valid line, in file order."""
        rows = []
        for text in self.valid_lines.splitlines():
            _line, tenancy_id, amount = text.split("\t")
            rows.append((int(tenancy_id), amount))
        return rows


# The maintained states of tenancies in a campaign (their own module, kept by campaign_state).
from .state_models import (  # noqa: E402
    CampaignStateYear,
    CampaignStatusCount,
    TenancyCampaignState,
)

__all__ = [
    "BulkImport",
    "CampaignStateYear",
    "CampaignStatusCount",
    "IrlQuarter",
    "JulyRent",
    "Receipt",
    "RentCampaign",
    "RentDeclaration",
    "RentSubmission",
    "TenancyCampaignState",
]
