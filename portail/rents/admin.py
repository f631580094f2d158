from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from portail.common.admins import ReadOnlyAdminMixin

from . import receipts
from .models import (
    BulkImport,
    IrlQuarter,
    JulyRent,
    Receipt,
    RentCampaign,
    RentDeclaration,
    RentSubmission,
)


@admin.register(JulyRent)
class JulyRentAdmin(admin.ModelAdmin):
    """Known rents; a landlord's declared rent is its current version, shown as sent."""

    list_display = ("tenancy", "year", "amount", "source", "version", "recorded_at")
    list_filter = ("year", "source")
    search_fields = ("=tenancy__recipient_number", "tenancy__tenant_name")
    raw_id_fields = ("tenancy", "recorded_by", "submission")
    readonly_fields = ("submission", "version")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.submission_id is not None:
            return [f.name for f in self.model._meta.fields]  # versions are kept as sent
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # A landlord's declaration is the proof its acknowledgement names: never erased here.
        if obj is not None and obj.submission_id is not None:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(RentCampaign)
class RentCampaignAdmin(admin.ModelAdmin):
    list_display = ("year", "opens_on", "closes_on")


@admin.register(IrlQuarter)
class IrlQuarterAdmin(admin.ModelAdmin):
    list_display = ("year", "quarter", "value")
    list_filter = ("quarter",)


@admin.register(RentDeclaration)
class RentDeclarationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Superseded versions of declarations (the current one is the July rent itself), kept as
    sent: shown, never added, changed or removed here."""

    list_display = ("tenancy", "year", "version", "amount", "declared_by", "declared_at")
    list_filter = ("year",)
    search_fields = ("=tenancy__recipient_number",)
    raw_id_fields = ("tenancy", "submission", "declared_by")


@admin.register(RentSubmission)
class RentSubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sendings of rents, as their acknowledgements name them: shown, never changed here
    (deleting one would also delete the rents it carries)."""

    list_display = ("pk", "portfolio", "year", "channel", "submitted_by", "submitted_at")
    raw_id_fields = ("portfolio", "submitted_by")


@admin.register(BulkImport)
class BulkImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "portfolio", "status", "total_lines", "uploaded_at")
    raw_id_fields = ("portfolio", "uploaded_by", "submission")
    exclude = ("valid_lines", "errors", "warnings")


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    """Agents check each July N-1 receipt and validate or refuse it (difficulty 9)."""

    list_display = ("tenancy", "year", "amount", "status", "submitted_at", "file_link")
    list_filter = ("status", "year")
    search_fields = ("=tenancy__recipient_number", "tenancy__tenant_name")
    raw_id_fields = ("tenancy", "submitted_by", "reviewed_by")
    readonly_fields = ("status", "reviewed_by", "reviewed_at")
    actions = ["validate", "reject"]

    @admin.display(description="fichier")
    def file_link(self, obj):
        """Uploaded files are not public: the back office serves them to staff with the right."""
        if not obj.file:
            return ""
        try:
            url = reverse("backoffice:receipt_file", args=[obj.pk])
        except NoReverseMatch:
            return "dans le back-office"
        return format_html('<a href="{}">ouvrir</a>', url)

    @admin.action(
        description="Valider les quittances (le loyer est enregistré, le bailleur prévenu)"
    )
    def validate(self, request, queryset):
        for receipt in queryset.filter(status=Receipt.Status.PENDING):
            receipts.validate_receipt(receipt=receipt, agent=request.user)
        self.message_user(request, "Quittances validées.", messages.SUCCESS)

    @admin.action(description="Refuser les quittances (illisibles ou d'un autre mois)")
    def reject(self, request, queryset):
        for receipt in queryset.filter(status=Receipt.Status.PENDING):
            receipts.reject_receipt(
                receipt=receipt,
                agent=request.user,
                reason="Quittance illisible ou incomplète.",
            )
        self.message_user(request, "Quittances refusées.", messages.WARNING)
