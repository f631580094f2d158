"""The declarations export's watermarks for staff: read only (export_declarations moves them)."""

from django.contrib import admin

from portail.common.admins import ReadOnlyAdminMixin

from .models import ExportWatermark


@admin.register(ExportWatermark)
class ExportWatermarkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("source", "exported_until", "batch", "updated_at")
