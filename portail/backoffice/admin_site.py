"""The Django admin's app config, pointing it at the agency's site (second factor required)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """The Django admin at /gestion/, on a site that requires a verified second factor."""

    default_site = "portail.backoffice.sites.StaffAdminSite"
