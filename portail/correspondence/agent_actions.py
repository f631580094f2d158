"""What an agency agent does to the outbox from the back office: send a failed e-mail again,
gather the day's letters for the print service; each action takes the acting agent and is
audited."""

from django.db import transaction

from portail.audit.services import record_agent_action

from .letters import LetterBatch, gather_letters
from .models import Message
from .services import requeue_failed_message


@transaction.atomic
def retry_message(*, message: Message, agent, ip: str | None) -> bool:
    """Put a failed e-mail back in the outbox for a new 24-hour delivery period."""
    if not requeue_failed_message(message_id=message.pk):
        return False
    record_agent_action(
        action="staff.message_retried",
        agent=agent,
        target=message.recipient.identifier,
        reason="",
        ip=ip,
        message=message.pk,
    )
    return True


def print_letters(*, agent, ip: str | None) -> LetterBatch:
    """Gather the day's letters into one PDF to print; they are marked posted."""
    batch = gather_letters()
    record_agent_action(
        action="staff.letters_batch",
        agent=agent,
        target=batch.path.name if batch.path else "",
        reason="",
        ip=ip,
        count=batch.count,
        missing=len(batch.missing),
    )
    return batch


def record_batch_download(*, name: str, agent, ip: str | None) -> None:
    """Note in the journal that an agent downloaded a batch of letters."""
    record_agent_action(
        action="staff.letters_batch_downloaded", agent=agent, target=name, reason="", ip=ip
    )
