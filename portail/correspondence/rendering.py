"""Rendering of e-mails (text and HTML) and letters (HTML, then A4 PDF with WeasyPrint)."""

import datetime
import html
import threading
from dataclasses import dataclass

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from portail.common import clock, formats

from .models import Message
from .rules import MASKED_CODE, MASKED_PASSWORD


@dataclass(frozen=True)
class Rendered:
    """A message as sent: subject, plain text, full HTML document, and its body fragment."""

    subject: str
    text: str
    html: str
    fragment: str


def template_base(template: str) -> str:
    """A name without "/" is ours (correspondence/messages/name); with "/" it is a path."""
    return template if "/" in template else f"correspondence/messages/{template}"


def _template(message: Message, suffix: str) -> str:
    return f"{template_base(message.template)}{suffix}"


# Subjects and text bodies are plain text: rendered by the template engine that never
# HTML-escapes (settings.TEMPLATES "text"); HTML escapes them once, where it shows them.
PLAIN_TEXT = "text"


def _plain_text(message: Message, context: dict, fragment: str) -> str:
    """The template's .txt, or its HTML body stripped of tags when it has none."""
    try:
        return render_to_string(_template(message, ".txt"), context, using=PLAIN_TEXT)
    except TemplateDoesNotExist:
        return html.unescape(strip_tags(fragment)).strip() + "\n"


def subject_of(*, template: str, context: dict) -> str:
    """The subject line of a message template (<template>_subject.txt), on one line."""
    text = render_to_string(f"{template_base(template)}_subject.txt", context, using=PLAIN_TEXT)
    return " ".join(text.split())


def message_context(
    *,
    message: Message,
    password: str | None = None,
    password_expires_at: datetime.datetime | None = None,
    sent_on: datetime.date | None = None,
    code: str | None = None,
) -> dict:
    """What every template sees: the message's data (with the recipient's identifier, user
    number and name, kept at queueing), the agency, the address, and any secret as issued."""
    sent_on = sent_on or clock.today()
    return {
        **message.context,
        "message": message,
        "agency_name": settings.AGENCY_NAME,
        "agency_phone": settings.AGENCY_PHONE,
        "site_url": settings.SITE_URL,
        "address_lines": message.address,
        "sent_on": formats.french_date(sent_on),
        "sent_on_long": formats.french_long_date(sent_on),
        "password": password or "",
        "code": code or "",
        "password_expires_on": formats.french_date(password_expires_at),
        "password_expires_at": formats.french_datetime(password_expires_at),
        "is_letter": message.is_letter,
    }


def masked_context(*, message: Message, password_expires_at=None, sent_on=None) -> dict:
    """The same context with the temporary password hidden, for the history."""
    context = message_context(
        message=message, password_expires_at=password_expires_at, sent_on=sent_on
    )
    if message.carries_temporary_password:
        context["password"] = MASKED_PASSWORD
    if message.carries_confirmation_code:
        context["code"] = MASKED_CODE
    return context


def render_email(*, message: Message, context: dict) -> Rendered:
    """The e-mail in plain text and HTML (no image, no tracking pixel, absolute links)."""
    fragment = render_to_string(_template(message, ".html"), context)
    body_text = _plain_text(message, context, fragment)
    layout = {**context, "subject": message.subject, "fragment": fragment, "body": body_text}
    return Rendered(
        subject=message.subject,
        text=render_to_string("correspondence/email.txt", layout, using=PLAIN_TEXT),
        html=render_to_string("correspondence/email.html", layout),
        fragment=fragment,
    )


def render_letter(*, message: Message, context: dict) -> Rendered:
    """The letter as an HTML document laid out for A4 and a DL window envelope."""
    fragment = render_to_string(_template(message, ".html"), context)
    html = render_letter_layout(message=message, context=context, fragment=fragment)
    text = _plain_text(message, context, fragment)
    return Rendered(subject=message.subject, text=text, html=html, fragment=fragment)


def render_letter_layout(*, message: Message, context: dict, fragment: str) -> str:
    """The letter's page (sender, window address, references, subject) around its body."""
    return render_to_string(  # noqa: S308 - our own template
        "correspondence/letter.html", {**context, "subject": message.subject, "fragment": fragment}
    )


_fonts = threading.local()


def _font_configuration() -> FontConfiguration:
    """One font configuration per thread: loading the fonts again for each letter is slow."""
    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration


def letter_pdf(*, html: str) -> bytes:
    """An A4 PDF of a letter's HTML."""
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf(
        font_config=_font_configuration()
    )
