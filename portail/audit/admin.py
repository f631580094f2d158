"""Read-only journal for agency staff."""

from django.contrib import admin

from portail.common.admins import ReadOnlyAdminMixin

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("timestamp", "action", "target", "actor", "ip")
    list_filter = ("action",)
    search_fields = ("=target", "=ip")
    readonly_fields = ("timestamp", "action", "target", "actor", "ip", "details")
