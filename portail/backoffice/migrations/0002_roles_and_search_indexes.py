"""Staff roles as groups (portail/backoffice/roles.py), and the indexes of the landlord search
on a million landlords (portail/backoffice/search.py).

The indexes are expression indexes on other apps' tables, created here in raw SQL by database
vendor so that those apps' models keep their own Meta: on PostgreSQL the name upper-cased in the
"C" collation, with the id (one index serves both the prefix match LIKE 'X%' and the order of
the first 50 results); on SQLite UPPER(name), searched as a range; LOWER(email) for e-mail
addresses, and the audit journal's target for a landlord's events.
"""

from django.db import migrations

from portail.backoffice.roles import ROLES


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


def _indexes(apps, vendor):
    landlords = apps.get_model("accounts", "Landlord")._meta.db_table
    users = apps.get_model("accounts", "User")._meta.db_table
    events = apps.get_model("audit", "Event")._meta.db_table
    if vendor == "postgresql":
        name_index = ("backoffice_landlord_name_c", landlords, '(UPPER(name) COLLATE "C"), id')
    else:
        name_index = ("backoffice_landlord_name_upper", landlords, "(UPPER(name))")
    return [
        name_index,
        ("backoffice_landlord_email_lower", landlords, "(LOWER(email))"),
        ("backoffice_user_email_lower", users, "(LOWER(email))"),
        ("backoffice_event_target", events, "target"),
    ]


def create_indexes(apps, schema_editor):
    for index, table, columns in _indexes(apps, schema_editor.connection.vendor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({columns})")


def drop_indexes(apps, schema_editor):
    for index, *_ in _indexes(apps, schema_editor.connection.vendor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
