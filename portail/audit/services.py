"""Recording audit events: one function, called inside the caller's transaction."""

import logging

from .models import Event

logger = logging.getLogger("portail.audit")

# Keys that must never reach the journal, whatever a caller passes.
_SECRET_KEYS = {"password", "temporary_password", "code", "token", "new_password"}


def record_event(
    *,
    action: str,
    actor=None,
    target: str = "",
    ip: str | None = None,
    details: dict | None = None,
) -> Event:
    """Write one audit event (who, what, when, from where) without any secret."""
    clean = {k: v for k, v in (details or {}).items() if k not in _SECRET_KEYS}
    event = Event.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target=target[:200],
        ip=ip or None,
        details=clean,
    )
    logger.info("audit action=%s target=%s ip=%s", action, target, ip or "-")
    return event
