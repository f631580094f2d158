"""Rules of the outbox: by which channel, when to try again, when to give up, what may be stored."""

import datetime

from .models import Message

# How long an undeliverable e-mail is retried before it is marked failed and shown to staff.
RETRY_PERIOD = datetime.timedelta(hours=24)
FIRST_RETRY_DELAY = datetime.timedelta(minutes=1)
LONGEST_RETRY_DELAY = datetime.timedelta(hours=2)

# What the history shows instead of a temporary password (four groups of four).
MASKED_PASSWORD = "•••• •••• •••• ••••"  # noqa: S105 - a mask, not a password
MASKED_CODE = "••••••"

# Context keys that would put a secret at rest in the outbox.
_SECRET_WORDS = ("password", "mot_de_passe", "secret", "token", "otp")


def contact_channel(*, email: str) -> str:
    """By e-mail when there is an address to write to, else by postal letter."""
    return Message.Channel.EMAIL if email else Message.Channel.LETTER


def retry_delay(*, attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, never more than 2 hours."""
    delay = FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY_DELAY)


def gives_up(*, queued_at: datetime.datetime, now: datetime.datetime) -> bool:
    """A message still undelivered 24 hours after it was queued is failed."""
    return now - queued_at >= RETRY_PERIOD


def context_holds_no_secret(context: dict) -> bool:
    """True when no key of the template data names a secret (passwords are made at delivery)."""
    return not any(
        word in str(key).lower() for key in _walk_keys(context) for word in _SECRET_WORDS
    )


def _walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk_keys(item)
