"""python manage.py export_declarations DIR [--since DATE]: what landlords declared since the
last export, as UTF-8 CSV files in a new batch directory of DIR (portail/feed/export.py)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portail.feed.export import export_declarations


def _instant(text: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r} is not an ISO date or date and time") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = (
        "Write what landlords declared since the last export (or since --since) as CSV files "
        "in a new batch directory of DIR; always the same DIR, safe to run again after a crash."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--since",
            type=_instant,
            help="export what was recorded after this instant (ISO, e.g. 2026-07-01 or "
            "2026-07-01T08:00+02:00) instead of after the last export: a replay",
        )

    def handle(self, *args, directory: Path, since=None, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        result = export_declarations(directory=directory, since=since)
        if result.adopted:
            self.stdout.write(f"{result.adopted.name}: found complete, now recorded as exported")
        if result.batch is None:
            self.stdout.write("nothing new to export yet")
            return
        for name, count in result.rows.items():
            self.stdout.write(f"{result.batch.name}/{name}.csv: {count} row(s)")
