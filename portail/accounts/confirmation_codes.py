"""Codes that confirm an e-mail address: made at delivery, kept only as a hash."""

import secrets

from django.contrib.auth.hashers import make_password

from portail.correspondence.registry import IssuedSecret

from .models import EmailConfirmation

CODE_DIGITS = 6


def issue_email_code(*, message) -> IssuedSecret:
    """A new 6-digit code for the pending e-mail confirmation the message names, with that
    confirmation's expiry; its clear text must only go into the e-mail that carries it (the
    outbox's issuer, registered in ``AccountsConfig.ready``)."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    confirmation = EmailConfirmation.objects.filter(
        pk=message.context["email_confirmation_id"]
    ).first()
    if confirmation is None:
        return IssuedSecret(clear=code)
    confirmation.code_hash = make_password(code)
    confirmation.save(update_fields=["code_hash"])
    return IssuedSecret(clear=code, expires_at=confirmation.expires_at)
