"""One SMTP mail transaction on an open connection, with a step before the message's end.

It is smtplib's ``sendmail`` for one recipient (MAIL, RCPT, DATA, the message, "."), with two
differences for the batched sweep: ``before_end`` runs after the server's 354 to DATA, before
the message's last line, and a plain ASCII address goes in its angle brackets as it is (smtplib
parses every address again). The sweep confirms the previous message's "sent" record there: the
database writes it while this message's first three commands go, and no message is accepted
before the one ahead of it is recorded (``batches.py``).
"""

import contextlib
import re
import smtplib
from collections.abc import Callable

from .mime import PLAIN_ADDRESS

CRLF = b"\r\n"
# RFC 5321 4.5.2: a line that starts with a period gets one more.
LEADING_PERIOD = re.compile(rb"(?m)^\.")


def _path(address: str) -> str:
    return f"<{address}>" if PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


def _refused(client: smtplib.SMTP, code: int) -> None:
    """As sendmail: "421" closes the connection, another refusal resets the transaction."""
    if code == 421:
        client.close()
    else:
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            client.rset()


def send(
    client: smtplib.SMTP,
    *,
    sender: str,
    recipient: str,
    data: bytes,
    before_end: Callable[[], None] | None = None,
) -> None:
    """Send ``data`` to ``recipient``; raises smtplib's exceptions as ``sendmail`` does."""
    client.ehlo_or_helo_if_needed()
    size = f" SIZE={len(data)}" if client.does_esmtp and client.has_extn("size") else ""
    code, reply = client.docmd("mail", f"FROM:{_path(sender)}{size}")
    if code != 250:
        _refused(client, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = client.docmd("rcpt", f"TO:{_path(recipient)}")
    if code not in (250, 251):
        _refused(client, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = client.docmd("data")
    if code != 354:
        _refused(client, code)
        raise smtplib.SMTPDataError(code, reply)
    if before_end is not None:
        before_end()
    quoted = LEADING_PERIOD.sub(b"..", data)
    if not quoted.endswith(CRLF):
        quoted += CRLF
    client.send(quoted + b"." + CRLF)
    code, reply = client.getreply()
    if code != 250:
        _refused(client, code)
        raise smtplib.SMTPDataError(code, reply)
