"""Back-office screens for landlords and users (staff only; passwords are never shown)."""

from django.contrib import admin

from .models import Landlord, User


@admin.register(Landlord)
class LandlordAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "siret", "postcode", "city", "email")
    list_filter = ("kind",)
    search_fields = ("name", "=siret", "=ref", "email")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("identifier", "user_number", "full_name", "landlord", "is_active", "is_staff")
    list_filter = ("is_staff", "is_active", "is_landlord_admin")
    search_fields = ("=identifier", "=user_number", "full_name", "email")
    exclude = ("password",)
    # Set by the portal itself (and the admin's split date widget has no labels).
    readonly_fields = ("last_login", "date_joined", "credentials_letter_sent_at")
    raw_id_fields = ("landlord",)
