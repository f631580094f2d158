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
