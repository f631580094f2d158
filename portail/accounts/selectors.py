"""Reads about landlords and their users: the user a sign-in names; for the agency's staff, one
landlord's page (users with their state, correspondence, journal)."""

from dataclasses import dataclass

from django.db.models import CharField, F, QuerySet
from django.shortcuts import get_object_or_404

from portail.audit.models import Event
from portail.common import clock
from portail.common.prepared import Param, compiled
from portail.correspondence.models import Message

from . import rules
from .models import Landlord, SignInThrottle, TemporaryPassword, User

# How many messages and events a landlord's page shows.
HISTORY_LIMIT = 100


def user_signing_in(identifier: str) -> User | None:
    """The active user an identifier names, with its landlord's reference as ``landlord_ref``
    (the sign-in's demo check reads it); one query, compiled once per connection: every
    sign-in reads it, and the ORM spent more CPU compiling it than the database running it."""
    return _user_signing_in().first(identifier=identifier)


@compiled
def _user_signing_in() -> QuerySet[User]:
    return (
        User.objects.filter(identifier=Param("identifier", CharField()), is_active=True)
        .annotate(landlord_ref=F("landlord__ref"))
        .order_by()[:1]
    )


def landlord_for_staff(landlord_id: int) -> Landlord:
    return get_object_or_404(Landlord, pk=landlord_id)


def user_of_landlord(landlord: Landlord, user_id: int) -> User:
    """A user of this landlord; 404 for any other (staff accounts are never reached here)."""
    return get_object_or_404(User, pk=user_id, landlord=landlord)


@dataclass
class UserRow:
    user: User
    states: list[str]
    locked_until: object
    temporary_until: object
    temporary_channel: str

    @property
    def state_labels(self) -> list[str]:
        return [rules.STATE_LABELS[state] for state in self.states]


def users_with_state(landlord: Landlord) -> list[UserRow]:
    """The landlord's users, each with its state: never signed in, active, locked, disabled,
    temporary password pending (and until when)."""
    now = clock.now()
    users = list(landlord.users.order_by("-is_landlord_admin", "identifier"))
    locks = dict(
        SignInThrottle.objects.filter(
            scope=SignInThrottle.Scope.IDENTIFIER,
            key__in=[user.identifier for user in users],
            locked_until__gt=now,
        ).values_list("key", "locked_until")
    )
    pending = {}
    for temporary in TemporaryPassword.objects.filter(
        user__in=users, superseded_at__isnull=True, used_at__isnull=True, expires_at__gt=now
    ).order_by("issued_at"):
        pending[temporary.user_id] = temporary
    rows = []
    for user in users:
        temporary = pending.get(user.pk)
        rows.append(
            UserRow(
                user=user,
                states=rules.user_states(
                    is_active=user.is_active,
                    last_login=user.last_login,
                    locked_until=locks.get(user.identifier),
                    temporary_until=temporary.expires_at if temporary else None,
                    now=now,
                ),
                locked_until=locks.get(user.identifier),
                temporary_until=temporary.expires_at if temporary else None,
                temporary_channel=temporary.get_channel_display() if temporary else "",
            )
        )
    return rows


def correspondence_of_landlord(landlord: Landlord) -> QuerySet[Message]:
    """Every e-mail and letter to the landlord's users, newest first, whatever its state."""
    return (
        Message.objects.filter(recipient__landlord=landlord)
        .select_related("recipient")
        .defer("body_html", "body_text", "context")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )


def events_of_landlord(landlord: Landlord) -> QuerySet[Event]:
    """The audit events about the landlord or its users, newest first."""
    targets = {landlord.ref}
    for identifier, number, email in landlord.users.values_list(
        "identifier", "user_number", "email"
    ):
        targets.update(value for value in (identifier, number, email and email.lower()) if value)
    return (
        Event.objects.filter(target__in=targets)
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:HISTORY_LIMIT]
    )
