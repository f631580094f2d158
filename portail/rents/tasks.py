"""Background work of the rents app: large files of rents are checked and recorded here."""

from django_tasks import task

from portail.accounts.models import User

from . import bulk


@task()
def check_bulk_import(bulk_import_id: int) -> None:
    bulk.check_bulk_import(bulk_import_id=bulk_import_id)


@task()
def record_bulk_import(bulk_import_id: int, user_id: int, valid_only: bool, confirmed: bool):
    bulk.record_bulk_import_in_background(
        bulk_import_id=bulk_import_id,
        user=User.objects.get(pk=user_id),
        valid_only=valid_only,
        confirmed=confirmed,
    )
