from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    """Unpaid rents and changes (departures, co-tenants, end of management) landlords report."""

    name = "portail.obligations"
    label = "obligations"
    verbose_name = "Impayés et changements"

    def ready(self):
        # The tenant list (rents, below this app) shows an unpaid rent reported on each row and
        # links each tenant to its page through what is registered here.
        from portail.rents.tenant_list import TenantListExtras, register_extras

        from . import tenant_list_extras

        register_extras(
            TenantListExtras(
                notes=tenant_list_extras.notes,
                tenancy_url=tenant_list_extras.tenancy_url,
                links=tenant_list_extras.links,
            )
        )
