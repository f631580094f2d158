from django.contrib import admin

from .models import Grant, Portfolio, Tenancy
from .selectors import forget_tenancy_counts


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

    # The tenant lists' cached totals follow what staff add, move or remove here.
    def save_model(self, request, obj, form, change):
        previous = form.initial.get("portfolio")
        super().save_model(request, obj, form, change)
        forget_tenancy_counts({obj.portfolio_id, previous} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_tenancy_counts({obj.portfolio_id})

    def delete_queryset(self, request, queryset):
        portfolio_ids = set(queryset.values_list("portfolio_id", flat=True))
        super().delete_queryset(request, queryset)
        forget_tenancy_counts(portfolio_ids)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "portfolio", "right")
    raw_id_fields = ("user", "portfolio")
