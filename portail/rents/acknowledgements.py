"""The acknowledgement (accusé de réception) as a PDF: what was declared, for whom, when and
by whom. One renderer for the page's download and the API."""

from portail.common.pdf import render_pdf

from . import selectors
from .models import RentSubmission


def acknowledgement_pdf(submission: RentSubmission) -> bytes:
    """The PDF of an acknowledgement, every line of it."""
    declarations = selectors.declarations_of_submission(submission)
    return render_pdf(
        "rents/acknowledgement_pdf.html",
        {
            "portfolio": submission.portfolio,
            "submission": submission,
            "declarations": declarations,
            "count": declarations.count(),
        },
    )
