from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "portail.backoffice"
    verbose_name = "Espace agents"
