"""Codes that confirm an e-mail address: made at delivery, kept only as a hash."""

import secrets

from django.contrib.auth.hashers import make_password

from .models import EmailConfirmation

CODE_DIGITS = 6


def issue_email_code(*, confirmation_id: int) -> str:
    """A new 6-digit code for a pending e-mail confirmation; returns its clear text, which
    must only go into the e-mail that carries it (the outbox calls this when sending)."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    EmailConfirmation.objects.filter(pk=confirmation_id).update(code_hash=make_password(code))
    return code
