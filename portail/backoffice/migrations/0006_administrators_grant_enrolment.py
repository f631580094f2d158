"""Administrators may let an agent enrol a new authenticator (after a lost phone)."""

from django.db import migrations

CODES = ["add_enrolmentpermit", "view_enrolmentpermit"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("backoffice")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="administrator").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="backoffice", codename__in=CODES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="administrator").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="backoffice", codename__in=CODES)
        )


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0005_enrolmentpermit")]
    operations = [migrations.RunPython(grant, revoke)]
