"""The sweep's e-mails as bytes, built with the standard library's email package directly.

The batched sweep sends thousands of e-mails a minute; Django's ``EmailMessage.message()``
builds a tree of MIME objects for each and folds every header again (~1.5 ms of CPU). Here what
does not change within a batch (From, the parts' headers) is encoded once per batch
(``Envelope``); for each e-mail only its Subject, To, Date and Message-ID are written, and its
two bodies encoded. ``email.policy.SMTP`` parses and folds a header in 40 to 130 µs (an
address's parse tree): a plain address and a short ASCII subject are written as they are (the
policy gives the same bytes, tests/correspondence/test_mime.py), others go through the policy,
once per distinct value (a mailing's subject is the same for all its e-mails). The result
parses to the same e-mail as ``services.email_of(...).message()`` gives (test_mime.py).
"""

import functools
import re
import secrets
from dataclasses import dataclass
from email import policy, quoprimime
from email.utils import formataddr, formatdate

from django.conf import settings

from . import rendering
from .models import Message

CRLF = "\r\n"
# RFC 5322: no line over 998 characters. A longer one goes quoted-printable, as Django does.
LONGEST_LINE = 998


# RFC 5322: a header line should not be longer than 78 characters (the policy folds there).
FOLD_AT = 78
# An address the policy writes back as it is: a dot-atom, "@", a domain name, in ASCII.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
)
# Text the policy writes back as it is: printable ASCII words separated by single spaces, no
# encoded word ("=?") to decode.
PLAIN_TEXT = re.compile(r"[!-~]+( [!-~]+)*")


def _header(name: str, value: str) -> bytes:
    """One header as RFC 5322 bytes: folded, non-ASCII as encoded words (RFC 2047)."""
    plain = PLAIN_ADDRESS if name == "To" else PLAIN_TEXT
    if len(name) + 2 + len(value) <= FOLD_AT and "=?" not in value and plain.fullmatch(value):
        return f"{name}: {value}{CRLF}".encode()
    return _folded(name, value)


@functools.lru_cache(maxsize=256)
def _folded(name: str, value: str) -> bytes:
    return policy.SMTP.fold_binary(name, policy.SMTP.header_factory(name, value))


@dataclass(frozen=True)
class Envelope:
    """What every e-mail of a batch shares, encoded once."""

    sender: str
    domain: str
    headers: bytes  # From and MIME-Version


def envelope(*, sender: str) -> Envelope:
    """The batch's constant headers: the agency's name on the sender's address."""
    name = f"{settings.AGENCY_NAME} – Espace bailleur"
    return Envelope(
        sender=sender,
        domain=sender.rpartition("@")[2] or "localhost",
        headers=_header("From", formataddr((name, sender))) + b"MIME-Version: 1.0\r\n",
    )


def _part(content_type: str, body: str) -> bytes:
    """One text part in UTF-8: 8bit, or quoted-printable when a line is over 998 characters."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A character is 4 bytes at most in UTF-8: only a line over 249 characters can be too long.
    if max(map(len, lines)) * 4 > LONGEST_LINE and any(
        len(line.encode()) > LONGEST_LINE for line in lines
    ):
        encoding = "quoted-printable"
        payload = quoprimime.body_encode(body.encode().decode("latin-1"), eol=CRLF)
    else:
        encoding, payload = "8bit", CRLF.join(lines)
    return (
        f'Content-Type: {content_type}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{payload}{CRLF}"
    ).encode()


def email_bytes(*, envelope: Envelope, message: Message, sent: rendering.Rendered) -> bytes:
    """The e-mail of a rendered message, ready for SMTP: text and HTML alternatives, from the
    agency, our Message-ID, the date of now."""
    parts = [_part("text/plain", sent.text), _part("text/html", sent.html)]
    boundary = f"==============={secrets.token_hex(16)}=="
    while any(boundary.encode() in part for part in parts):  # practically never
        boundary = f"==============={secrets.token_hex(16)}=="
    delimiter = f"--{boundary}{CRLF}".encode()
    return b"".join(
        [
            f'Content-Type: multipart/alternative; boundary="{boundary}"{CRLF}'.encode(),
            envelope.headers,
            _header("Subject", sent.subject),
            _header("To", message.email),
            f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}{CRLF}".encode(),
            f"Message-ID: <courrier-{message.pk}@{envelope.domain}>{CRLF}{CRLF}".encode(),
            *(delimiter + part for part in parts),
            f"--{boundary}--{CRLF}".encode(),
        ]
    )
