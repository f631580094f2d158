"""The permission to handle unpaid-rent reports and reported changes (issue 13), given to every
role (roles.OBLIGATIONS)."""

from django.db import migrations

from portail.backoffice.roles import OBLIGATIONS, ROLES


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("backoffice")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for code in OBLIGATIONS:
        app_label, codename = code.split(".")
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for group in Group.objects.filter(name__in=ROLES):
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="backoffice", codename__in=[c.split(".")[1] for c in OBLIGATIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0002_roles_and_search_indexes")]

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
