"""Acknowledgements (accusés de réception) of a portfolio: the list, one with its lines, and
its PDF from the renderer the screen uses."""

from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from ninja import Query, Router

from portail.rents import selectors
from portail.rents.acknowledgements import acknowledgement_pdf
from portail.rents.models import RentSubmission

from .. import pagination
from ..queries import query_parameters
from ..schemas import AcknowledgementDetail, AcknowledgementPage, ProblemOut, amount_text
from ..selectors import portfolio_of_token

router = Router(tags=["acknowledgements"])


def _out(submission) -> dict:
    url = f"/api/v1/portfolios/{submission.portfolio_id}/acknowledgements/{submission.pk}"
    return {
        "id": submission.pk,
        "year": submission.year,
        "channel": submission.channel,
        "submitted_at": submission.submitted_at,
        "pdf_url": f"{url}/pdf",
    }


@router.get(
    "/portfolios/{portfolio_id}/acknowledgements",
    response={200: AcknowledgementPage, 404: ProblemOut},
    operation_id="list_acknowledgements",
)
@query_parameters("cursor", "limit")
def list_acknowledgements(
    request,
    portfolio_id: int,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.LARGEST_LIMIT),
):
    """The portfolio's acknowledgements, newest first."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    submissions = RentSubmission.objects.filter(portfolio=portfolio).order_by(
        "-submitted_at", "-pk"
    )
    after = pagination.decode(cursor, str, int)
    if after is not None:
        when = parse_datetime(after[0]) if after[0] else None
        if when is None:
            raise pagination.invalid()
        submissions = submissions.filter(submitted_at__lte=when).exclude(
            submitted_at=when, pk__gte=after[1]
        )
    page = list(submissions[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [_out(s) for s in page],
        "next_cursor": (
            pagination.encode([page[-1].submitted_at.isoformat(), page[-1].pk]) if more else None
        ),
    }


@router.get(
    "/portfolios/{portfolio_id}/acknowledgements/{acknowledgement_id}",
    response={200: AcknowledgementDetail, 404: ProblemOut},
    operation_id="get_acknowledgement",
)
@query_parameters("cursor", "limit")
def get_acknowledgement(
    request,
    portfolio_id: int,
    acknowledgement_id: int,
    cursor: str | None = None,
    limit: int = Query(pagination.LARGEST_LIMIT, ge=1, le=pagination.LARGEST_LIMIT),
):
    """One acknowledgement with its lines (recipient-number order), as the screen lists them."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    submission = selectors.submission_for_portfolio(portfolio, acknowledgement_id)
    lines = selectors.declarations_of_submission(submission)
    after = pagination.decode(cursor, int)
    offset = after[0] if after else 0
    if offset < 0:
        raise pagination.invalid()
    page = list(lines[offset : offset + limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        **_out(submission),
        "line_count": lines.count(),
        "lines": [
            {
                "recipient_number": line["recipient_number"],
                "tenant_name": line["tenant_name"],
                "amount": amount_text(line["amount"]),
                "version": line["version"],
            }
            for line in page
        ],
        "next_cursor": pagination.encode([offset + limit]) if more else None,
    }


@router.get(
    "/portfolios/{portfolio_id}/acknowledgements/{acknowledgement_id}/pdf",
    response={200: None, 404: ProblemOut},
    operation_id="get_acknowledgement_pdf",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The acknowledgement as a PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@query_parameters()
def get_acknowledgement_pdf(request, portfolio_id: int, acknowledgement_id: int):
    """The acknowledgement as the PDF the screen gives: what was declared, for whom, when
    and by whom."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    submission = selectors.submission_for_portfolio(portfolio, acknowledgement_id)
    response = HttpResponse(acknowledgement_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="accuse-reception-{submission.pk}.pdf"'
    return response
