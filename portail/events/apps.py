from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "portail.events"
    label = "events"
    verbose_name = "Événements métier"
