"""The acknowledgement (accusé de réception) as a PDF: what was declared, for whom, when and
by whom. One renderer for the page's download and the API."""

import hashlib

from django.core.cache import cache

from portail.common.pdf import html_to_pdf, render_html

from . import selectors
from .models import RentSubmission

# How long a made PDF is kept: a landlord downloads it right after sending, maybe again soon;
# past this it is made again (the cache's storage stays bounded by the half-hour's sendings).
PDF_KEPT_SECONDS = 30 * 60


def acknowledgement_pdf(submission: RentSubmission) -> bytes:
    """The PDF of an acknowledgement, every line of it, made once for what it shows.

    Its HTML is rendered (a few milliseconds) and WeasyPrint's PDF (tens of milliseconds a page)
    is kept in the cache under the submission and the HTML's SHA-256: a correction, a name the
    feed changed, anything the document shows gives another HTML, so another key, and the PDF
    is made again; the same HTML is served the same bytes."""
    declarations = list(selectors.declarations_of_submission(submission))
    html = render_html(
        "rents/acknowledgement_pdf.html",
        {
            "portfolio": submission.portfolio,
            "submission": submission,
            "declarations": declarations,
            "count": len(declarations),
        },
    )
    digest = hashlib.sha256(html.encode()).hexdigest()
    key = f"rents:acknowledgement-pdf:{submission.pk}:{digest}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = html_to_pdf(html)
        cache.set(key, pdf, PDF_KEPT_SECONDS)
    return pdf
