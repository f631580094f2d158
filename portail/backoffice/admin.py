"""Admin screens of the back office's data; TOTP devices without their secret key."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Reminder

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffDeviceAdmin(admin.ModelAdmin):
    """An administrator sees an agent's devices and deletes a lost one (the agent re-enrols);
    the secret key is never shown."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("=user__identifier",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("landlord", "year", "sent_on", "sent_by")
    list_filter = ("year", "sent_on")
    raw_id_fields = ("landlord", "message", "sent_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
