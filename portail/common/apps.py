from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "portail.common"
    label = "common"
    verbose_name = "Commun"
