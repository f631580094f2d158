"""Direct payments for staff: as the feed recorded them, read only."""

from django.contrib import admin

from portail.common.admins import ReadOnlyAdminMixin

from .models import Payment, PaymentMonth


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "recipient_number", "period", "amount", "paid_on")
    search_fields = ("=reference", "=recipient_number")
    list_select_related = ("tenancy",)
    raw_id_fields = ("tenancy", "portfolio")
    show_full_result_count = False


@admin.register(PaymentMonth)
class PaymentMonthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("portfolio", "period", "payment_count", "total")
    list_select_related = ("portfolio",)
    show_full_result_count = False
