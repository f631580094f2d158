from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete


class RentsConfig(AppConfig):
    name = "portail.rents"
    label = "rents"
    verbose_name = "Loyers"

    def ready(self):
        from portail.portfolios.models import Tenancy
        from portail.portfolios.selectors import register_tenancy_counter

        from . import campaign_state
        from .models import IrlQuarter, JulyRent, RentCampaign
        from .selectors import forget_campaign, forget_irl, kept_tenancy_counts

        post_save.connect(forget_campaign, sender=RentCampaign)
        post_delete.connect(forget_campaign, sender=RentCampaign)
        post_save.connect(forget_irl, sender=IrlQuarter)
        post_delete.connect(forget_irl, sender=IrlQuarter)
        # The campaign states follow single saves; set writes call refresh_states themselves.
        post_save.connect(campaign_state.rent_saved, sender=JulyRent)
        post_delete.connect(campaign_state.rent_deleted, sender=JulyRent)
        post_save.connect(campaign_state.tenancy_saved, sender=Tenancy)
        pre_delete.connect(campaign_state.tenancy_deleting, sender=Tenancy)
        # "Mes parcs" and the tenant list read the kept counts instead of counting tenancies.
        register_tenancy_counter(kept_tenancy_counts)
