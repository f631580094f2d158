"""Writes on landlords' users: one function per use case, keyword-only, atomic."""

import secrets

from django.db import transaction

from . import rules
from .models import Landlord, User

_ALLOCATION_ATTEMPTS = 50


def _free_identifier() -> str:
    for _ in range(_ALLOCATION_ATTEMPTS):
        candidate = rules.format_identifier(secrets.randbelow(10**6))
        if not User.objects.filter(identifier=candidate).exists():
            return candidate
    raise RuntimeError("no free login identifier found; the identifier space is nearly full")


def _free_user_number() -> str:
    for _ in range(_ALLOCATION_ATTEMPTS):
        candidate = rules.format_user_number(secrets.randbelow(10**8))
        if not User.objects.filter(user_number=candidate).exists():
            return candidate
    raise RuntimeError("no free user number found")


@transaction.atomic
def create_landlord_user(
    *, landlord: Landlord, full_name: str = "", email: str = "", is_landlord_admin: bool = False
) -> User:
    """Give a landlord a new user with its own identifier and user number, no password yet."""
    user = User(
        identifier=_free_identifier(),
        user_number=_free_user_number(),
        landlord=landlord,
        full_name=full_name or landlord.name,
        email=email,
        is_landlord_admin=is_landlord_admin,
    )
    user.set_unusable_password()
    user.save()
    return user
