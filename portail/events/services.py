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

from .models import DomainEvent, Kind

_subscribers: list[Callable[[DomainEvent], None]] = []


def subscribe(subscriber: Callable[[DomainEvent], None]) -> None:
    """Register a function told of every event (once, from an AppConfig.ready)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


@transaction.atomic(savepoint=False)
def emit(
    *, kind: Kind | str, landlord_id: int, portfolio_id: int | None = None, data: dict
) -> DomainEvent:
    """Record that this happened to this landlord's data, and tell the subscribers."""
    event = DomainEvent.objects.create(
        kind=str(kind), landlord_id=landlord_id, portfolio_id=portfolio_id, data=data
    )
    for subscriber in _subscribers:
        subscriber(event)
    return event
