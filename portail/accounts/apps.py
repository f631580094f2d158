from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portail.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        """Tell the outbox who our users are and who issues their secrets at delivery; make
        the dummy hash before the first sign-in (made during a request, it would double that
        request's hashing work: verification.py)."""
        from . import verification
        from .dispatch import register_with_the_outbox

        register_with_the_outbox()
        verification.prepare()
