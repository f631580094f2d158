"""Recording audit events: `record_event`, and `record_agent_action` for an agent's action;
called inside the caller's transaction."""

import logging

from portail.common.prepared import insert

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
    event = Event(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target=target[:200],
        ip=ip or None,
        details=clean,
    )
    # Every sign-in writes one: its INSERT is compiled once and prepared (prepared.insert);
    # Event has no save signal receivers.
    insert(event)
    logger.info("audit action=%s target=%s ip=%s", action, target, ip or "-")
    return event


def record_agent_action(
    *, action: str, agent, target: str, reason: str, ip: str | None, **details
) -> Event:
    """Write the event of an agency agent's action: the agent's name and the reason given go
    into its details, with whatever else the action says."""
    return record_event(
        action=action,
        actor=agent,
        target=target,
        ip=ip,
        details={"agent": agent.full_name or agent.identifier, "reason": reason, **details},
    )
