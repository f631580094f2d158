"""Read-only journal for agency staff."""

from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "action", "target", "actor", "ip")
    list_filter = ("action",)
    search_fields = ("=target", "=ip")
    readonly_fields = ("timestamp", "action", "target", "actor", "ip", "details")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
