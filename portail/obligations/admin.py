"""Admin of the unpaid-rent rules: dated rows staff add when the law changes (each with its
source). Reports are followed in the back office (/agence/impayes/), not here."""

from django.contrib import admin

from .models import UnpaidRentRule


@admin.register(UnpaidRentRule)
class UnpaidRentRuleAdmin(admin.ModelAdmin):
    list_display = (
        "valid_from",
        "kind",
        "months_of_rent",
        "amount",
        "missed_months",
        "report_within_months",
    )
    fields = (
        "valid_from",
        "kind",
        "months_of_rent",
        "amount",
        "missed_months",
        "report_within_months",
        "source",
    )

    def has_delete_permission(self, request, obj=None):
        # A rule a report was judged under is the proof of that judgement: never removed.
        if obj is not None and obj.pk is not None:
            from .models import UnpaidRentReport

            if UnpaidRentReport.objects.filter(rule=obj).exists():
                return False
        return super().has_delete_permission(request, obj)
