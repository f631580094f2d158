from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portail.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import verification

        # The dummy hash exists before the first sign-in: made during a request, it would
        # double that request's hashing work (verification.py).
        verification.prepare()
