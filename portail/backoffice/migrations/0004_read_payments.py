"""Every staff role reads the direct payments and their monthly totals in the admin (issue 13,
roles.PAYMENTS); the admin shows them read only."""

from django.db import migrations

from portail.backoffice.roles import PAYMENTS, ROLES


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("payments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        for code in PAYMENTS[group.name]:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {code.split(".")[1] for codes in PAYMENTS.values() for code in codes}
    permissions = Permission.objects.filter(
        content_type__app_label="payments", codename__in=codenames
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0003_handle_obligations"),
        ("payments", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
