"""The acknowledgement (accusé de réception) as a PDF: what was declared, for whom, when and
by whom. One renderer for the page's download and the API."""

from django.conf import settings
from django.template.loader import render_to_string

from . import selectors
from .models import RentSubmission


def acknowledgement_pdf(submission: RentSubmission) -> bytes:
    """The PDF of an acknowledgement, every line of it (WeasyPrint, about 0.1 s a page)."""
    from weasyprint import HTML

    html = render_to_string(
        "rents/acknowledgement_pdf.html",
        {
            "portfolio": submission.portfolio,
            "submission": submission,
            "declarations": selectors.declarations_of_submission(submission),
            "count": selectors.declarations_of_submission(submission).count(),
            "agency_name": settings.AGENCY_NAME,
        },
    )
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()
