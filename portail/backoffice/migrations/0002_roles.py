"""Staff roles as groups, each with only the permissions it needs.

agent: find and help landlords, process receipts, follow the campaign and the correspondence.
supervisor: the agent's, plus campaign dates, reminders, the rents export, disabling a user and
the letters batch. administrator: the supervisor's, plus managing staff accounts, their TOTP
devices and the audit journal in the Django admin (never a password hash: see admin.py).
"""

from django.db import migrations

AGENT = [
    "backoffice.use_backoffice",
    "backoffice.help_landlords",
    "backoffice.process_receipts",
    "backoffice.view_campaign",
    "backoffice.watch_correspondence",
]
SUPERVISOR = AGENT + [
    "backoffice.disable_users",
    "backoffice.set_campaign_dates",
    "backoffice.send_reminders",
    "backoffice.export_rents",
    "backoffice.print_letters",
]
ADMINISTRATOR = SUPERVISOR + [
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "auth.view_group",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "audit.view_event",
]
ROLES = {"agent": AGENT, "supervisor": SUPERVISOR, "administrator": ADMINISTRATOR}


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


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("accounts", "0003_user_credentials_letter_sent_at_user_email_confirmed_and_more"),
        ("audit", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
