from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    """Unpaid rents and changes (departures, co-tenants, end of management) landlords report."""

    name = "portail.obligations"
    label = "obligations"
    verbose_name = "Impayés et changements"
