"""Documents a landlord downloads as a PDF (acknowledgements): a Django template rendered to
HTML, then to A4 with WeasyPrint; the one place pages make a PDF (letters have their own
layout in correspondence.rendering)."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered to a PDF; it sees ``agency_name`` besides its context."""
    from weasyprint import HTML  # loaded on first use: Pango is not needed by other pages

    html = render_to_string(template, {"agency_name": settings.AGENCY_NAME, **context})
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()


def pdf_download(template: str, context: dict, *, filename: str) -> HttpResponse:
    """A response that downloads the rendered PDF under ``filename``."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
