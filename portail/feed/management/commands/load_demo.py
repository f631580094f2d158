"""python manage.py load_demo: load the demo feed once and print how to sign in (DEBUG only)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portail.feed import demo


class Command(BaseCommand):
    help = "Load the demo landlords through the feed (once) and print their sign-in details."

    def add_arguments(self, parser):
        parser.add_argument(
            "--feed", type=Path, default=settings.BASE_DIR / "demo" / "feed", help="feed folder"
        )

    def handle(self, *args, feed: Path, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data can only be loaded when DEBUG is on.")
        accounts = demo.load_demo(feed_directory=feed)
        self.stdout.write("")
        self.stdout.write("Demo accounts (sign in at /compte/connexion/):")
        for account in accounts:
            self.stdout.write(
                f"  {account.description:<48} identifiant {account.identifier}"
                f"  mot de passe {account.password}"
            )
