"""The permission to handle unpaid-rent reports and reported changes (issue 13), given to every
role, and the unpaid-rent rules' admin permissions to administrators (roles.OBLIGATIONS)."""

from django.db import migrations

from portail.backoffice.roles import OBLIGATIONS, ROLES


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in ("backoffice", "obligations"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLES):
        for code in OBLIGATIONS[group.name]:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="backoffice", codename="handle_obligations"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0002_roles_and_search_indexes"),
        ("obligations", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="staffaccess",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("use_backoffice", "Accéder à l'espace agents"),
                    ("help_landlords", "Aider les bailleurs (identifiant, mot de passe, coordonnées)"),
                    ("process_receipts", "Traiter les quittances"),
                    ("view_campaign", "Suivre la campagne loyers"),
                    ("watch_correspondence", "Suivre les envois et relancer les mails en échec"),
                    ("disable_users", "Désactiver un utilisateur"),
                    ("set_campaign_dates", "Fixer les dates de la campagne"),
                    ("send_reminders", "Envoyer les relances de la campagne"),
                    ("export_rents", "Exporter les loyers déclarés"),
                    ("print_letters", "Préparer le lot de courriers à imprimer"),
                    ("handle_obligations", "Traiter les impayés et les changements signalés"),
                ],
                "verbose_name": "accès agent",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
