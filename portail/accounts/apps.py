from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portail.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        """Tell the outbox who our users are and who issues their secrets at delivery; make
        the dummy hash before the first sign-in (made during a request, it would double that
        request's hashing work: verification.py)."""
        from django.contrib.auth.signals import user_logged_in

        from . import verification
        from .dispatch import register_with_the_outbox
        from .services import record_last_login

        register_with_the_outbox()
        verification.prepare()
        # Django's update_last_login saves the user through the model (its save() and
        # signals); the same one-column UPDATE is written here without them.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="update_last_login")
