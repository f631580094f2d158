"""What domain apps hand the outbox at start-up: who a recipient is, and the issuers of secrets.

The outbox is infrastructure and imports no domain app. The app that owns users (``accounts``)
registers, in its ``AppConfig.ready()``:

- one recipient describer, ``describe(user) -> Recipient``: the default e-mail address, the
  postal address lines, and what every template shows about the recipient (identifier, user
  number as printed, name); ``queue_message`` keeps a snapshot of it on the row;
- one secret issuer per kind (``TEMPORARY_PASSWORD``, ``CONFIRMATION_CODE``),
  ``issue(*, message) -> IssuedSecret``: called by the delivery, inside its savepoint, it makes
  the secret, stores only its hash, and returns the clear text as the message shows it with its
  expiry. The clear text goes into the message sent and nowhere else.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a kind of secret, not a secret
CONFIRMATION_CODE = "confirmation_code"


@dataclass(frozen=True)
class Recipient:
    """Where a message to this user goes, and what its templates show about the user."""

    email: str = ""
    address_lines: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IssuedSecret:
    """A secret just made for one message: its clear text as shown, and until when it works."""

    clear: str
    expires_at: datetime.datetime | None = None


class NotRegisteredError(LookupError):
    """The outbox was asked for something no app registered (an app missing from settings)."""


_describers: list[Callable] = []
_issuers: dict[str, Callable] = {}


def register_recipient_describer(describe: Callable) -> None:
    """Tell the outbox how to describe a recipient (one describer; a new one replaces it)."""
    _describers[:] = [describe]


def register_secret_issuer(kind: str, issue: Callable) -> None:
    """Tell the outbox who makes the secrets of this kind at delivery."""
    _issuers[kind] = issue


def describe_recipient(user) -> Recipient:
    """The registered description of this recipient."""
    if not _describers:
        raise NotRegisteredError("No recipient describer registered with the outbox.")
    return _describers[0](user)


def issue_secret(kind: str, *, message) -> IssuedSecret:
    """Make a secret of this kind for this message, with the issuer registered for it."""
    try:
        issue = _issuers[kind]
    except KeyError:
        raise NotRegisteredError(f"No issuer of {kind} registered with the outbox.") from None
    return issue(message=message)
