from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "portail.team"
    label = "team"
    verbose_name = "Utilisateurs des bailleurs moraux"
