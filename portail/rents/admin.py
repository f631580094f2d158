from django.contrib import admin

from .models import JulyRent


@admin.register(JulyRent)
class JulyRentAdmin(admin.ModelAdmin):
    list_display = ("tenancy", "year", "amount", "source", "recorded_at")
    list_filter = ("year", "source")
    search_fields = ("=tenancy__recipient_number", "tenancy__tenant_name")
    raw_id_fields = ("tenancy", "recorded_by")
