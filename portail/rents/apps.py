from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RentsConfig(AppConfig):
    name = "portail.rents"
    label = "rents"
    verbose_name = "Loyers"

    def ready(self):
        from .models import IrlQuarter, RentCampaign
        from .selectors import forget_campaign, forget_irl

        post_save.connect(forget_campaign, sender=RentCampaign)
        post_delete.connect(forget_campaign, sender=RentCampaign)
        post_save.connect(forget_irl, sender=IrlQuarter)
        post_delete.connect(forget_irl, sender=IrlQuarter)
