"""Background work of the back office: campaign reminders to many landlords."""

from django_tasks import task

from portail.accounts.models import User

from . import services


@task()
def send_reminders_task(year: int, agent_id: int, ip: str | None) -> dict:
    """Send the campaign reminders of year N in the background (see services.send_reminders)."""
    counts = services.send_reminders(year=year, agent=User.objects.get(pk=agent_id), ip=ip)
    return counts.__dict__
