"""The removal of a user from a legal landlord's team.

A removed user is kept (its declarations and messages name it) but can no longer sign in and
no longer shows in the team.
"""

from django.conf import settings
from django.db import models

from portail.common import clock


class Removal(models.Model):
    """A user that its landlord's administrator removed from the team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="removal"
    )
    removed_at = models.DateTimeField("retiré le", default=clock.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="retiré par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "retrait d'utilisateur"
        verbose_name_plural = "retraits d'utilisateurs"

    def __str__(self) -> str:
        return f"{self.user} retiré le {self.removed_at:%d/%m/%Y}"
