"""Documents a landlord downloads as a PDF (acknowledgements): a Django template rendered to
HTML, then to A4 with WeasyPrint; the one place pages make a PDF (letters have their own
layout in correspondence.rendering)."""

import threading

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

_fonts = threading.local()


def render_html(template: str, context: dict) -> str:
    """The document's HTML: the template with ``agency_name`` besides its context."""
    return render_to_string(template, {"agency_name": settings.AGENCY_NAME, **context})


def html_to_pdf(html: str) -> bytes:
    """A4 PDF of a document's HTML, with one font configuration per thread (loading the fonts
    again for each document is slow)."""
    from weasyprint import HTML  # loaded on first use: Pango is not needed by other pages
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf(font_config=_fonts.configuration)


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered to a PDF; it sees ``agency_name`` besides its context."""
    return html_to_pdf(render_html(template, context))


def pdf_download(template: str, context: dict, *, filename: str) -> HttpResponse:
    """A response that downloads the rendered PDF under ``filename``."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
