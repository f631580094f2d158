from django.apps import AppConfig


class RentsConfig(AppConfig):
    name = "portail.rents"
    label = "rents"
    verbose_name = "Loyers"
