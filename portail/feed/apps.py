from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "portail.feed"
    label = "feed"
    verbose_name = "Flux de la Caf"
