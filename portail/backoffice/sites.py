"""The Django admin site of the agency: staff only, with a verified TOTP device."""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.urls import reverse


class StaffAdminSite(AdminSite):
    site_header = "Espace bailleur – administration"
    site_title = "Espace bailleur"
    index_title = "Administration"

    def has_permission(self, request):
        """Staff whose sign-in went through the second factor (see access.is_verified_staff)."""
        from .access import is_verified_staff

        return is_verified_staff(request.user)

    def login(self, request, extra_context=None):
        """Staff sign in through the agency's own form (password, then TOTP code)."""
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('backoffice:sign_in')}?{urlencode({'next': target})}")
