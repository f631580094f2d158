"""Background work of accounts (django-tasks): first access for landlords the feed brought."""

from django.db import transaction
from django_tasks import task

from . import services

# Landlords handled by one task: a first feed brings many, each gets its user and its message.
FIRST_ACCESS_BATCH = 500


@task()
def grant_first_access_task(landlord_ids: list[int]) -> int:
    """Create the first user of each landlord without one and send its access (difficulty 6)."""
    return services.grant_first_access_to_landlords(landlord_ids=landlord_ids)


def schedule_first_access(*, landlord_ids: list[int]) -> None:
    """After the feed's transaction commits, queue the first access of its new landlords."""
    ids = sorted(landlord_ids)
    for start in range(0, len(ids), FIRST_ACCESS_BATCH):
        batch = ids[start : start + FIRST_ACCESS_BATCH]
        transaction.on_commit(lambda batch=batch: grant_first_access_task.enqueue(batch))


@task()
def remind_identifier_task(user_number: str, ip: str | None) -> None:
    """'Identifiant perdu', done in the background (recovery.py says why)."""
    services.remind_identifier(user_number=user_number, ip=ip)


@task()
def reset_password_task(email: str, ip: str | None) -> None:
    """'Mot de passe perdu', done in the background (recovery.py says why)."""
    services.reset_password_by_email(email=email, ip=ip)


@task()
def reset_password_by_letter_task(user_number: str, ip: str | None) -> None:
    """'Mot de passe perdu' by post, done in the background (recovery.py says why)."""
    services.reset_password_by_letter(user_number=user_number, ip=ip)
