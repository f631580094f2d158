from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "portail.common"
    label = "common"
    verbose_name = "Commun"

    def ready(self):
        from . import forms  # noqa: F401  (registers the bounded-text-fields check)
