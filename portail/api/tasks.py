"""Background delivery of webhooks (django-tasks, database backend: ``manage.py db_worker``)."""

from django_tasks import task

from . import webhooks


@task()
def deliver_webhook_task(delivery_id: int) -> str:
    """Deliver one webhook if it is still due."""
    delivery = webhooks.deliver_one(delivery_id)
    return delivery.status if delivery else "not_due"
