"""Temporary passwords (mots de passe provisoires): made to be typed from paper.

16 characters from an alphabet without look-alikes (no O/0, I/1/l), shown in groups of four;
spaces, dashes and case are ignored when one is typed back.
"""

import datetime
import hashlib
import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction

from portail.common import clock
from portail.correspondence.registry import IssuedSecret

from .models import TemporaryPassword, User

# Upper-case letters and digits with no look-alikes: no O/0, no I/1/L.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 16

# Validity by how it reaches the user (help sheet, difficulty 8).
VALIDITY_BY_EMAIL = datetime.timedelta(days=14)
VALIDITY_AFTER_RECOVERY = datetime.timedelta(hours=24)


def letter_validity(issued_at: datetime.datetime) -> datetime.timedelta:
    """Two calendar months from issue, for a temporary password sent by postal letter."""
    month = issued_at.month + 2
    year = issued_at.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(issued_at.day, 28)
    return issued_at.replace(year=year, month=month, day=day) - issued_at


# Why a temporary password is issued: first access (or a new letter) or "Mot de passe perdu".
PURPOSE_ACCESS = "access"
PURPOSE_RECOVERY = "recovery"


def temporary_password_validity(
    *, channel: str, purpose: str, issued_at: datetime.datetime
) -> datetime.timedelta:
    """14 days by e-mail, 2 months by letter, 24 hours after "Mot de passe perdu" (difficulty 8)."""
    if purpose == PURPOSE_RECOVERY:
        return VALIDITY_AFTER_RECOVERY
    if channel == TemporaryPassword.Channel.EMAIL:
        return VALIDITY_BY_EMAIL
    return letter_validity(issued_at)


def generate() -> str:
    """A new temporary password in canonical form (16 characters, no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(password: str) -> str:
    """ABCD EFGH JKMN PQRS: groups of four, as printed and e-mailed."""
    return " ".join(password[i : i + 4] for i in range(0, len(password), 4))


def canonical(typed: str) -> str:
    """What a person typed, without spaces or dashes, upper-cased."""
    return "".join(ch for ch in typed if ch not in " -\t\u00a0\u202f").upper()


def looks_temporary(typed: str) -> bool:
    """Whether a typed password can be a temporary one: 16 characters of the alphabet once
    spaces, dashes and case are set aside."""
    text = canonical(typed)
    return len(text) == LENGTH and all(ch in ALPHABET for ch in text)


def selector(text: str) -> str:
    """A 48-bit fingerprint of a canonical temporary password, stored beside its hash so that a
    sign-in verifies the one temporary password a typed text can be, never several. It tells a
    database thief nothing usable: the password itself is 79 random bits."""
    return hashlib.sha256(f"temporary-password:{text}".encode()).hexdigest()[:12]


@transaction.atomic
def issue_temporary_password(
    *,
    user: User,
    channel: str,
    valid_for: datetime.timedelta | None = None,
    purpose: str = PURPOSE_ACCESS,
) -> str:
    """Issue a new temporary password (the previous ones stop working); returns its clear text,
    which must only go into the message that carries it."""
    clear, _ = _issue(user=user, channel=channel, valid_for=valid_for, purpose=purpose)
    return clear


def _issue(
    *, user: User, channel: str, valid_for: datetime.timedelta | None, purpose: str
) -> tuple[str, TemporaryPassword]:
    now = clock.now()
    if valid_for is None:
        valid_for = temporary_password_validity(channel=channel, purpose=purpose, issued_at=now)
    TemporaryPassword.objects.filter(user=user, superseded_at__isnull=True).update(
        superseded_at=now
    )
    clear = generate()
    issued = TemporaryPassword.objects.create(
        user=user,
        password_hash=make_password(clear),
        selector=selector(clear),
        channel=channel,
        issued_at=now,
        expires_at=now + valid_for,
    )
    return clear, issued


@transaction.atomic
def issue_temporary_password_for_message(*, message) -> IssuedSecret:
    """The outbox's issuer (registered in ``AccountsConfig.ready``): a temporary password for
    the message being delivered, shown in groups of four, with its expiry."""
    clear, issued = _issue(
        user=message.recipient,
        channel=message.channel,
        valid_for=message.temporary_password_validity,
        purpose=PURPOSE_ACCESS,
    )
    return IssuedSecret(clear=display(clear), expires_at=issued.expires_at)


def temporary_candidate(*, user: User, typed: str) -> TemporaryPassword | None:
    """The one temporary password of this user (among its last 5, whatever their state) that
    the typed text can be, found by its selector; its hash is still to be verified."""
    if not looks_temporary(typed):
        return None
    wanted = selector(canonical(typed))
    recent = TemporaryPassword.objects.filter(user=user).order_by("-issued_at")[:5]
    return next((row for row in recent if row.selector == wanted), None)


def retire_temporary_passwords(*, user: User) -> None:
    """Once the user has chosen a password, no temporary password works any more."""
    TemporaryPassword.objects.filter(user=user, superseded_at__isnull=True).update(
        superseded_at=clock.now()
    )
