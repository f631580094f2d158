"""The back office's own data: its permissions and the campaign reminders sent."""

from django.conf import settings
from django.db import models

from portail.accounts.models import Landlord
from portail.common import clock


class StaffAccess(models.Model):
    """Holds the back office's permissions (no table); roles are groups, see migration 0002."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = "accès agent"
        permissions = [
            ("use_backoffice", "Accéder à l'espace agents"),
            ("help_landlords", "Aider les bailleurs (identifiant, mot de passe, coordonnées)"),
            ("process_receipts", "Traiter les quittances"),
            ("view_campaign", "Suivre la campagne loyers"),
            ("watch_correspondence", "Suivre les envois et relancer les mails en échec"),
            ("disable_users", "Désactiver un utilisateur"),
            ("set_campaign_dates", "Fixer les dates de la campagne"),
            ("send_reminders", "Envoyer les relances de la campagne"),
            ("export_rents", "Exporter les loyers déclarés"),
            ("print_letters", "Préparer le lot de courriers à imprimer"),
            ("handle_obligations", "Traiter les impayés et les changements signalés"),
        ]

    def __str__(self) -> str:
        return "Accès agent"


class Reminder(models.Model):
    """One campaign reminder e-mailed to a landlord: never two the same day."""

    landlord = models.ForeignKey(
        Landlord, verbose_name="bailleur", on_delete=models.CASCADE, related_name="reminders"
    )
    year = models.PositiveSmallIntegerField("année")
    sent_on = models.DateField("envoyée le")
    message = models.ForeignKey(
        "correspondence.Message", on_delete=models.SET_NULL, null=True, blank=True
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "relance"
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "sent_on"], name="one_reminder_per_landlord_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Relance {self.year} de {self.landlord_id} le {self.sent_on:%d/%m/%Y}"


def _enrolment_expiry():
    import datetime

    return clock.now() + datetime.timedelta(days=7)


class EnrolmentPermit(models.Model):
    """Lets a staff member enrol an authenticator once, within 7 days: given when the account is
    created, or by an administrator after a lost phone. Without it, a password alone never
    enrols a device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="agent",
        on_delete=models.CASCADE,
        related_name="enrolment_permits",
        limit_choices_to={"is_staff": True, "landlord__isnull": True},
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="accordée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("accordée le", default=clock.now)
    expires_at = models.DateTimeField("valable jusqu'au", default=_enrolment_expiry)
    used_at = models.DateTimeField("utilisée le", null=True, blank=True)

    class Meta:
        verbose_name = "autorisation d'enregistrer une application d'authentification"
        verbose_name_plural = "autorisations d'enregistrer une application d'authentification"

    def __str__(self) -> str:
        return f"Enregistrement permis à {self.user} jusqu'au {self.expires_at:%d/%m/%Y}"
