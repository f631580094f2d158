"""Background delivery (django-tasks, database backend: ``python manage.py db_worker``)."""

from django_tasks import task

from . import services


@task(queue_name="mail")
def deliver_message_task(message_id: int) -> str:
    """Deliver one message of the outbox if it is still due."""
    return services.deliver_message(message_id=message_id)
