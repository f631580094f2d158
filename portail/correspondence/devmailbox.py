"""The development mailbox: what the local SMTP sink (``manage.py dev_smtp``) received.

Only used when DEBUG is on; it shows e-mails as sent, temporary passwords in clear included,
so a newcomer can follow "mot de passe perdu" end to end.
"""

import datetime
import mailbox
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class ReceivedEmail:
    """One e-mail of the development mailbox."""

    key: str
    subject: str
    to: str
    received_at: datetime.datetime | None
    text: str
    html: str


def ensure_maildir(directory: Path) -> mailbox.Maildir:
    """The Maildir at this path, with its cur/new/tmp folders made if missing."""
    for folder in ("cur", "new", "tmp"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(directory, create=False)


def _maildir() -> mailbox.Maildir:
    return ensure_maildir(Path(settings.DEV_MAILBOX_DIR))


def _parse(key: str, raw: bytes) -> ReceivedEmail:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    try:
        received_at = parsedate_to_datetime(parsed["Date"]) if parsed["Date"] else None
    except (TypeError, ValueError):
        received_at = None
    return ReceivedEmail(
        key=key,
        subject=str(parsed["Subject"] or ""),
        to=str(parsed["To"] or ""),
        received_at=received_at,
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
    )


def received_emails() -> list[ReceivedEmail]:
    """Every e-mail in the development mailbox, newest first."""
    box = _maildir()
    emails = [_parse(key, box.get_bytes(key)) for key in box.iterkeys()]
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(emails, key=lambda email: email.received_at or epoch, reverse=True)


def received_email(key: str) -> ReceivedEmail:
    """One e-mail of the development mailbox; KeyError when there is none with this key."""
    box = _maildir()
    return _parse(key, box.get_bytes(key))


def spooled_letters() -> list[Path]:
    """The letter PDFs waiting in the print spool, newest first."""
    spool = Path(settings.LETTER_SPOOL_DIR)
    if not spool.is_dir():
        return []
    return sorted(spool.glob("courrier-*.pdf"), key=lambda path: path.stat().st_mtime, reverse=True)
