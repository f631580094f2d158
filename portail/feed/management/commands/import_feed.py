"""python manage.py import_feed DIR: load the agency's feed files from DIR."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portail.feed.services import FEED_FILES, import_feed


class Command(BaseCommand):
    help = (
        "Import the agency's feed (landlords.csv, portfolios.csv, tenancies.csv, rents.csv, "
        "payments.csv) from a directory. All or nothing: any bad line is reported and "
        "nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        if not any((directory / spec.name).is_file() for spec in FEED_FILES):
            names = ", ".join(spec.name for spec in FEED_FILES)
            raise CommandError(f"{directory} holds none of the feed files ({names})")
        report = import_feed(directory=directory)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} bad line(s): nothing was imported. Fix them and run again."
            )
        for name, counts in report.counts.items():
            self.stdout.write(
                f"{name}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
