"""Unpaid-rent reports, changes reported by landlords (departures, co-tenants, end of
management), and the dated unpaid-rent rules staff keep.

Every report carries ``version`` (1, then one more at each change: correction, state,
repayment plan, debt paid off) and ``updated_at`` (indexed), so that an export to the agency's
main system can read what changed since its last watermark.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from portail.common import clock
from portail.portfolios.models import Portfolio, Tenancy

from . import rules

AMOUNT = {"max_digits": 9, "decimal_places": 2}


class UnpaidRentRule(models.Model):
    """One unpaid-rent rule, in force from ``valid_from`` until the next one starts."""

    class Kind(models.TextChoices):
        ARREARS_MULTIPLE = (
            rules.ARREARS_MULTIPLE,
            "Dette d'au moins N mois de loyer et charges (moins l'aide en tiers payant)",
        )
        AMOUNT_OR_MISSED_MONTHS = (
            rules.AMOUNT_OR_MISSED_MONTHS,
            "Dette supérieure à un montant, ou N mois sans paiement",
        )

    valid_from = models.DateField("en vigueur à partir du", unique=True)
    kind = models.CharField("type de règle", max_length=16, choices=Kind.choices)
    months_of_rent = models.PositiveSmallIntegerField(
        "nombre de mois de loyer", null=True, blank=True
    )
    amount = models.DecimalField("montant de la dette", null=True, blank=True, **AMOUNT)
    missed_months = models.PositiveSmallIntegerField("mois sans paiement", null=True, blank=True)
    report_within_months = models.PositiveSmallIntegerField("délai de signalement (mois)")
    source = models.TextField("source (texte et référence)")
    created_at = models.DateTimeField("ajoutée le", default=clock.now)

    class Meta:
        verbose_name = "règle d'impayé"
        verbose_name_plural = "règles d'impayé"
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=rules.ARREARS_MULTIPLE, months_of_rent__gte=1)
                    | Q(
                        kind=rules.AMOUNT_OR_MISSED_MONTHS,
                        amount__gt=0,
                        missed_months__gte=1,
                    )
                ),
                name="unpaid_rule_parameters_of_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(report_within_months__gte=1), name="unpaid_rule_has_a_delay"
            ),
        ]

    def __str__(self) -> str:
        return f"Règle d'impayé du {self.valid_from:%d/%m/%Y}"

    def as_rule(self) -> rules.UnpaidRule:
        return rules.UnpaidRule(
            valid_from=self.valid_from,
            kind=self.kind,
            months_of_rent=self.months_of_rent,
            amount=self.amount,
            missed_months=self.missed_months,
            report_within_months=self.report_within_months,
        )


class UnpaidRentReport(models.Model):
    """A landlord's report of an unpaid rent (impayé de loyer), followed by staff."""

    class Status(models.TextChoices):
        RECEIVED = "received", "reçu"
        UNDER_REVIEW = "under_review", "en cours d'examen"
        PLAN_EXPECTED = "plan_expected", "plan d'apurement attendu"
        CLOSED = "closed", "clos"

    tenancy = models.ForeignKey(
        Tenancy, verbose_name="locataire", on_delete=models.PROTECT, related_name="unpaid_reports"
    )
    portfolio = models.ForeignKey(
        Portfolio, verbose_name="parc", on_delete=models.PROTECT, related_name="+"
    )
    first_unpaid_month = models.DateField("premier mois impayé")
    monthly_rent = models.DecimalField("loyer mensuel", **AMOUNT)
    monthly_charges = models.DecimalField("charges mensuelles", **AMOUNT)
    direct_payment = models.BooleanField("tiers payant")
    aid = models.DecimalField("aide versée au bailleur", null=True, blank=True, **AMOUNT)
    amount_owed = models.DecimalField("dette à ce jour", **AMOUNT)
    tenant_pays_part = models.BooleanField("le locataire paie une partie")
    rule = models.ForeignKey(
        UnpaidRentRule, verbose_name="règle appliquée", on_delete=models.PROTECT, related_name="+"
    )
    threshold = models.DecimalField("seuil", **AMOUNT)
    threshold_reached_on = models.DateField("impayé constitué le")
    deadline = models.DateField("à signaler au plus tard le")
    status = models.CharField(
        "état", max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    plan_due_on = models.DateField("plan d'apurement attendu au plus tard le", null=True)
    paid_off_on = models.DateField("dette soldée le (déclaré)", null=True, blank=True)
    token = models.UUIDField("jeton", unique=True, default=uuid.uuid4)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="signalé par", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reported_at = models.DateTimeField("signalé le", default=clock.now)
    version = models.PositiveIntegerField("version", default=1)
    updated_at = models.DateTimeField("modifié le", default=clock.now, db_index=True)

    class Meta:
        verbose_name = "impayé signalé"
        verbose_name_plural = "impayés signalés"
        constraints = [
            # One open report per tenancy: a second tab or a second colleague finds the first.
            models.UniqueConstraint(
                fields=["tenancy"], condition=~Q(status="closed"), name="one_open_unpaid_report"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "under_review", "plan_expected", "closed"]),
                name="unpaid_report_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "reported_at"], name="unpaid_report_queue")]

    def __str__(self) -> str:
        return f"Impayé n° {self.pk} – {self.tenancy}"


class UnpaidRentEvent(models.Model):
    """One step in the life of an unpaid-rent report: a state set by staff (with its reason),
    a repayment plan sent, the debt declared paid off. The report's ``version`` after it."""

    class Kind(models.TextChoices):
        REPORTED = "reported", "Signalement"
        STATUS = "status", "Changement d'état"
        PLAN = "plan", "Plan d'apurement envoyé"
        PAID_OFF = "paid_off", "Dette déclarée soldée"

    report = models.ForeignKey(UnpaidRentReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=8, choices=Kind.choices)
    status = models.CharField("état après", max_length=16, choices=UnpaidRentReport.Status.choices)
    reason = models.CharField("motif", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    at = models.DateTimeField("le", default=clock.now)
    version = models.PositiveIntegerField("version")

    class Meta:
        verbose_name = "étape d'un impayé"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="one_event_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – impayé n° {self.report_id} (version {self.version})"


def plan_path(instance, filename: str) -> str:
    return f"plans/{instance.report_id}/{uuid.uuid4().hex}"


class RepaymentPlan(models.Model):
    """A signed repayment plan (plan d'apurement) the landlord sent for a report."""

    report = models.ForeignKey(UnpaidRentReport, on_delete=models.CASCADE, related_name="plans")
    file = models.FileField("fichier", upload_to=plan_path)
    content_type = models.CharField("type", max_length=32)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("envoyé le", default=clock.now)

    class Meta:
        verbose_name = "plan d'apurement"
        verbose_name_plural = "plans d'apurement"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Plan d'apurement – impayé n° {self.report_id}"


class ChangeContent(models.Model):
    """What a landlord reports: the fields of a change, shared by a report and its versions."""

    class Kind(models.TextChoices):
        DEPARTURE = "departure", "Départ du locataire"
        CO_TENANTS = "co_tenants", "Nombre de colocataires"
        END_OF_MANAGEMENT = "end_of_management", "Fin de gestion du logement"

    class EndReason(models.TextChoices):
        SALE = "sale", "vente du logement"
        DEATH = "death", "décès du propriétaire"
        MANDATE = "mandate", "fin du mandat de gestion"

    kind = models.CharField("changement", max_length=17, choices=Kind.choices)
    move_out_date = models.DateField("date de départ", null=True, blank=True)
    lease_end_date = models.DateField("fin du bail", null=True, blank=True)
    new_address = models.CharField("nouvelle adresse du locataire", max_length=300, blank=True)
    co_tenant_count = models.PositiveSmallIntegerField(
        "nombre de colocataires", null=True, blank=True
    )
    change_date = models.DateField("date du changement", null=True, blank=True)
    end_reason = models.CharField(
        "motif de fin de gestion", max_length=8, choices=EndReason.choices, blank=True
    )

    class Meta:
        abstract = True

    @property
    def effective_date(self):
        """The date the change takes effect: the move-out date, or the change's date."""
        return self.move_out_date if self.kind == self.Kind.DEPARTURE else self.change_date


class ChangeReport(ChangeContent):
    """A change reported by a landlord; its current version (earlier ones: ChangeVersion)."""

    class Status(models.TextChoices):
        DECLARED = "declared", "déclaré, en attente de la Caf"
        HANDLED = "handled", "traité par la Caf"
        WITHDRAWN = "withdrawn", "retiré"

    tenancy = models.ForeignKey(
        Tenancy, verbose_name="locataire", on_delete=models.PROTECT, related_name="change_reports"
    )
    portfolio = models.ForeignKey(
        Portfolio, verbose_name="parc", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("état", max_length=9, choices=Status.choices, default=Status.DECLARED)
    token = models.UUIDField("jeton", unique=True, default=uuid.uuid4)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="déclaré par",
    )  # fmt: skip
    reported_at = models.DateTimeField("déclaré le", default=clock.now)
    version = models.PositiveIntegerField("version", default=1)
    version_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="version de",
    )  # fmt: skip
    version_at = models.DateTimeField("version du", default=clock.now)
    updated_at = models.DateTimeField("modifié le", default=clock.now, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name="traité par",
    )  # fmt: skip
    handled_at = models.DateTimeField("traité le", null=True, blank=True)

    class Meta:
        verbose_name = "changement déclaré"
        verbose_name_plural = "changements déclarés"
        constraints = [
            # One pending change of each kind per tenancy: correct it rather than add another.
            models.UniqueConstraint(
                fields=["tenancy", "kind"],
                condition=Q(status="declared"),
                name="one_pending_change_of_a_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="departure", move_out_date__isnull=False)
                    | Q(kind="co_tenants", co_tenant_count__isnull=False)
                    | (Q(kind="end_of_management", change_date__isnull=False) & ~Q(end_reason=""))
                ),
                name="change_has_its_fields",
            ),
        ]
        indexes = [models.Index(fields=["status", "reported_at"], name="change_report_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk} – {self.tenancy}"

    @property
    def state_label(self) -> str:
        """What the landlord reads (rules.change_state_label); the tenancy is read with it."""
        return rules.change_state_label(
            status=self.status, kind=self.kind, tenancy_end_date=self.tenancy.end_date
        )


class ChangeVersion(ChangeContent):
    """A superseded version of a change report, as it was sent (who and when included)."""

    report = models.ForeignKey(ChangeReport, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("version")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("le")

    class Meta:
        verbose_name = "version antérieure d'un changement"
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="one_change_version")
        ]

    def __str__(self) -> str:
        return f"Changement n° {self.report_id}, version {self.version}"
