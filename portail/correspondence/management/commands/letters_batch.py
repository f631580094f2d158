"""Gather the letters waiting in the spool into one printable PDF for the print service."""

from django.core.management.base import BaseCommand

from portail.correspondence.letters import gather_letters


class Command(BaseCommand):
    help = "Merge the spooled letters into one PDF, mark them posted, delete the single files."

    def handle(self, *args, **options):
        batch = gather_letters()
        if batch.path is None:
            self.stdout.write("No letter to print.")
        else:
            self.stdout.write(f"{batch.count} letter(s) in {batch.path}")
        for problem in batch.missing:
            self.stderr.write(f"missing spool file for message {problem}")
