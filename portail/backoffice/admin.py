"""Admin screens of the back office's data; TOTP devices without their secret key."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from portail.common.admins import ReadOnlyAdminMixin

from . import signin
from .models import EnrolmentPermit, Reminder

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An administrator sees an agent's devices and deletes a lost one (the agent re-enrols);
    the secret key is never shown."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("=user__identifier",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    deletable = True


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("landlord", "year", "sent_on", "sent_by")
    list_filter = ("year", "sent_on")
    raw_id_fields = ("landlord", "message", "sent_by")
    deletable = True


@admin.register(EnrolmentPermit)
class EnrolmentPermitAdmin(admin.ModelAdmin):
    """After a lost phone, an administrator deletes the agent's device and lets the agent enrol
    a new one at the next sign-in (within 7 days)."""

    list_display = ("user", "granted_by", "created_at", "expires_at", "used_at")
    fields = ("user",)
    raw_id_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        permit = signin.permit_enrolment(user=obj.user, granted_by=request.user)
        obj.pk = permit.pk
