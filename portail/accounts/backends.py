"""How a signed-in request finds its user."""

from django.contrib.auth.backends import ModelBackend

from .models import User

BACKEND = "portail.accounts.backends.PortalBackend"


class PortalBackend(ModelBackend):
    """Django's model backend, loading the user's landlord with the user: every landlord page
    needs both, and one query instead of two is saved on each of them."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("landlord").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
