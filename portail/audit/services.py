"""Recording audit events: `record_event`, and `record_agent_action` for an agent's action;
called inside the caller's transaction."""

import logging

from django.db import connections, router

from portail.common.prepared import compiled, statement_cursor

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
    _insert(event)
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


_COLUMNS = ("actor", "action", "target", "ip", "timestamp", "details")


@compiled
def _insert_statement() -> tuple[str, list]:
    """The INSERT of an event and its fields, written once per connection; it returns the new
    id where the engine can (both of ours)."""
    connection = connections[router.db_for_write(Event)]
    fields = [Event._meta.get_field(name) for name in _COLUMNS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    returning = " RETURNING id" if connection.features.can_return_columns_from_insert else ""
    table = quote(Event._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}){returning}", fields  # noqa: S608


def _insert(event: Event) -> None:
    """Write an event in one plain statement (prepared on PostgreSQL): every sign-in writes
    one, and the ORM's model save cost more CPU than the database spent on it. The values are
    adapted by the fields as a save adapts them; Event has no save signal receivers."""
    connection = connections[router.db_for_write(Event)]
    sql, fields = _insert_statement()
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, values)
        event.pk = cursor.fetchone()[0] if sql.endswith(" RETURNING id") else cursor.lastrowid
    event._state.adding, event._state.db = False, connection.alias
