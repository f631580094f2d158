from django.contrib import admin

from .models import Grant, Portfolio, Tenancy


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ("name", "ref", "landlord")
    search_fields = ("name", "=ref", "landlord__name")
    raw_id_fields = ("landlord",)


@admin.register(Tenancy)
class TenancyAdmin(admin.ModelAdmin):
    list_display = ("recipient_number", "tenant_name", "portfolio", "start_date", "end_date")
    search_fields = ("=recipient_number", "tenant_name")
    raw_id_fields = ("portfolio",)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "portfolio", "right")
    raw_id_fields = ("user", "portfolio")
