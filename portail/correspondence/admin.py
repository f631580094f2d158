"""Back-office screen of the outbox: staff see failed messages and may send them again."""

from django.contrib import admin, messages

from portail.common import clock

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind")
    search_fields = ("=recipient__identifier", "=recipient__user_number", "subject", "email")
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Message._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Remettre en file d'envoi (échecs seulement)")
    def send_again(self, request, queryset):
        count = queryset.filter(status=Message.Status.FAILED).update(
            status=Message.Status.QUEUED, next_attempt_at=clock.now(), queued_at=clock.now()
        )
        self.message_user(request, f"{count} message(s) remis en file d'envoi.", messages.SUCCESS)
