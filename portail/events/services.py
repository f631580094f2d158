"""Record a business event and hand it to the subscribers registered at start-up.

Call from the transaction of the change the event describes (a rollback leaves none)::

    emit(kind=Kind.FILE_CHECKED, landlord_id=portfolio.landlord_id,
         portfolio_id=portfolio.pk, data={"file_id": bulk.pk, "status": "checked"})

A subscriber is a function ``subscriber(event)`` registered with ``subscribe`` from an
``AppConfig.ready`` of a higher layer (the API registers its webhook fan-out there). It runs in
the same transaction, so what it writes (e.g. deliveries to make) is committed with the event
or not at all: an event is never lost between the change and its delivery.
"""

from collections.abc import Callable

from django.db import transaction

from portail.common.prepared import insert

from .models import DomainEvent, Kind

_subscribers: list[Callable[[DomainEvent], None]] = []
# Who listens to what, for events worth recording only when somebody listens (a feed import
# touches thousands of portfolios): (kind, landlord ids) -> the landlords listening.
_listeners: list[Callable[[str, set[int]], set[int]]] = []


def subscribe(subscriber: Callable[[DomainEvent], None]) -> None:
    """Register a function told of every event (once, from an AppConfig.ready)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def listen(listeners: Callable[[str, set[int]], set[int]]) -> None:
    """Register a function saying which of these landlords listen to this kind of event
    (once, from an AppConfig.ready; the API's answers those with a webhook for it)."""
    if listeners not in _listeners:
        _listeners.append(listeners)


def listening_landlords(kind: Kind | str, landlord_ids: set[int]) -> set[int]:
    """Those of these landlords somebody listens to for this kind of event."""
    found: set[int] = set()
    for listeners in _listeners:
        found |= listeners(str(kind), set(landlord_ids))
    return found


@transaction.atomic(savepoint=False)
def emit(
    *, kind: Kind | str, landlord_id: int, portfolio_id: int | None = None, data: dict
) -> DomainEvent:
    """Record that this happened to this landlord's data, and tell the subscribers."""
    event = DomainEvent(
        kind=str(kind), landlord_id=landlord_id, portfolio_id=portfolio_id, data=data
    )
    insert(event)  # compiled once: every declaration records one
    for subscriber in _subscribers:
        subscriber(event)
    return event
