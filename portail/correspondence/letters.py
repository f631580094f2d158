"""Postal letters: the day's print batch, the batches already gathered, and the masked copy
the history shows."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from pypdf import PdfWriter

from portail.common import clock

from . import rendering, selectors
from .models import Message

BATCH_FOLDER = "lots"


@dataclass
class LetterBatch:
    """One printable PDF made of the letters waiting in the spool."""

    path: Path | None
    count: int = 0
    missing: list[int] = field(default_factory=list)


def _write_private(path: Path, writer: PdfWriter) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        writer.write(handle)


def gather_letters() -> LetterBatch:
    """Merge the letters waiting in the spool into one PDF, mark them posted, delete the files."""
    spool = Path(settings.LETTER_SPOOL_DIR)
    now = clock.now()
    with transaction.atomic():
        letters = list(selectors.letters_to_print().select_for_update())
        files = {message.pk: spool / message.spool_name for message in letters}
        missing = [pk for pk, path in files.items() if not path.exists()]
        included = [message for message in letters if message.pk not in missing]
        if not included:
            return LetterBatch(path=None, missing=missing)
        writer = PdfWriter()
        for message in included:
            writer.append(str(files[message.pk]))
        batch_path = spool / BATCH_FOLDER / f"lot-{now:%Y%m%d-%H%M%S-%f}.pdf"
        _write_private(batch_path, writer)
        Message.objects.filter(pk__in=[message.pk for message in included]).update(
            status=Message.Status.POSTED, posted_at=now
        )
    # Once the batch is recorded: the single files (and their clear passwords) go.
    for message in included:
        files[message.pk].unlink(missing_ok=True)
    return LetterBatch(path=batch_path, count=len(included), missing=missing)


def masked_letter_pdf(*, message: Message) -> bytes:
    """The letter as sent, with any temporary password masked, for the history."""
    context = rendering.masked_context(
        message=message, sent_on=timezone.localdate(message.sent_at) if message.sent_at else None
    )
    html = rendering.render_letter_layout(
        message=message, context=context, fragment=message.body_html
    )
    return rendering.letter_pdf(html=html)


def letter_batches() -> list[Path]:
    """The printable batches already gathered, newest first."""
    folder = Path(settings.LETTER_SPOOL_DIR) / BATCH_FOLDER
    if not folder.is_dir():
        return []
    return sorted(folder.glob("lot-*.pdf"), reverse=True)


def letter_batch(name: str) -> Path:
    """One gathered batch by its file name; 404 for anything else."""
    for path in letter_batches():
        if path.name == name:
            return path
    raise Http404("Lot introuvable")
