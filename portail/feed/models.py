"""What the feed remembers: how far each source of declarations was exported to the agency."""

from django.db import models


class ExportWatermark(models.Model):
    """The point up to which one source of declarations was exported (export_declarations):
    every row recorded at or before ``exported_until`` was written to a batch the agency has;
    the next batch starts strictly after it."""

    source = models.CharField("source", max_length=40, unique=True)
    exported_until = models.DateTimeField("exporté jusqu'au")
    batch = models.CharField("dernier lot", max_length=100)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "point d'export des déclarations"
        verbose_name_plural = "points d'export des déclarations"

    def __str__(self) -> str:
        return f"{self.source} : {self.exported_until:%Y-%m-%d %H:%M:%S}"
