"""Who may use the back office: the one place where staff permissions are checked."""

from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

APP = "backoffice"


def is_verified_staff(user) -> bool:
    """An active staff member (no landlord) whose session passed the TOTP second factor."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.landlord_id is None
        and getattr(user, "is_verified", lambda: False)()
    )


def staff_required(permission: str = "use_backoffice"):
    """Decorate a view: sign-in with second factor first, then the given permission or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not is_verified_staff(user):
                if user.is_authenticated and (not user.is_staff or user.landlord_id):
                    raise PermissionDenied
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('backoffice:sign_in')}?{query}")
            if not user.has_perms([f"{APP}.use_backoffice", f"{APP}.{permission}"]):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.staff_permission = permission
        return wrapped

    return decorator
