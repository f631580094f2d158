from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "portail.correspondence"
    verbose_name = "Courriers et mails"
