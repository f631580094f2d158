"""Audit events: who did what, to what, when and from where; never a secret."""

from django.conf import settings
from django.db import models

from portail.common import clock


class Event(models.Model):
    """One security or business event (sign-in, lock-out, recovery, password change...)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("action", max_length=64)
    target = models.CharField("objet", max_length=200, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    timestamp = models.DateTimeField("date", default=clock.now, db_index=True)
    details = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "événement"
        indexes = [models.Index(fields=["action", "-timestamp"])]

    def __str__(self) -> str:
        return f"{self.timestamp:%d/%m/%Y %H:%M} {self.action} {self.target}"
