from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "portail.payments"
    label = "payments"
    verbose_name = "Paiements (tiers payant)"
