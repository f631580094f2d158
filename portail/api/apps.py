from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "portail.api"
    label = "api"
    verbose_name = "API pour les logiciels des bailleurs"

    def ready(self):
        from portail.events.services import listen, subscribe

        from .webhooks import fan_out, landlords_with_webhooks

        subscribe(fan_out)
        listen(landlords_with_webhooks)
