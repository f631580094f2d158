"""Declare or correct a July rent: rents.declarations.declare_rent, the screen's service, with
its French refusals; an Idempotency-Key makes a retried request record once."""

import uuid

from django.http import Http404, HttpResponse
from ninja import Header, Router, Status

from portail.help.difficulties import Difficulty
from portail.rents import rules, selectors
from portail.rents.declarations import (
    DeclarationRefused,
    TenancyNotFound,
    amount_warnings_for,
    declare_rent,
)

from .. import idempotency
from ..auth import require_declare
from ..problems import Problem
from ..queries import query_parameters
from ..schemas import DeclarationIn, DeclarationOut, ProblemOut, amount_text
from ..selectors import portfolio_of_token
from .tenancies import tenancy_of_portfolio

router = Router(tags=["declarations"])

# Names the submission token of (API token, Idempotency-Key): declare_rent's own "a form sent
# twice records once" then holds for the API too.
SUBMISSION_NAMESPACE = uuid.UUID("6f1c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f")
CANNOT_DECLARE = "Vous pouvez consulter ce parc mais pas y déclarer de loyer."


def _warnings(portfolio, recipient_number: str, *, amount, year: int) -> list[str]:
    """The screen's reasons to confirm this amount, on a refusal only (the rents read then)."""
    with_rents = tenancy_of_portfolio(portfolio, recipient_number, year=year)
    return amount_warnings_for(with_rents, amount=amount, year=year)


def _refused(refusal: DeclarationRefused, **extensions) -> Problem:
    return Problem(
        422,
        refusal.message,
        slug="declaration-refused",
        help_entry=refusal.help_entry,
        **extensions,
    )


def _line_of(submission) -> dict:
    """The declared amount and version: the rent just recorded, or (a replayed submission)
    read back from the acknowledgement."""
    rent = getattr(submission, "recorded_rent", None)
    if rent is not None:
        return {"amount": rent.amount, "version": rent.version}
    return selectors.declarations_of_submission(submission).first()


@router.post(
    "/portfolios/{portfolio_id}/tenancies/{recipient_number}/july-rent",
    response={201: DeclarationOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="declare_july_rent",
)
@query_parameters()
def declare_july_rent(
    request,
    response: HttpResponse,
    portfolio_id: int,
    recipient_number: str,
    declaration: DeclarationIn,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        min_length=1,
        max_length=idempotency.LONGEST_KEY,
        description="A new value (a UUID) for each declaration, the same for its retries.",
    ),
):
    """Declare (or correct) the July rent of one tenancy, with the screen's rules: the
    campaign open, the July N-1 rent known (difficulty 9), an unusual amount confirmed
    (difficulty 10). Answered once per Idempotency-Key."""
    require_declare(request)
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    if not portfolio.may_declare:
        raise Problem(403, CANNOT_DECLARE, slug="forbidden")
    try:
        amount = rules.parse_amount(declaration.amount)
    except rules.AmountError as error:
        raise Problem(
            422,
            error.message,
            slug="declaration-refused",
            help_entry=Difficulty.AMOUNT_NOT_ACCEPTED,
        ) from None

    def write():
        try:
            submission = declare_rent(
                user=request.user,
                portfolio=portfolio,
                recipient_number=recipient_number,
                year=declaration.year,
                amount=amount,
                token=uuid.uuid5(SUBMISSION_NAMESPACE, f"{request.auth.pk}:{idempotency_key}"),
                # None: the current version, read by the service under its lock.
                expected_version=declaration.based_on_version,
                confirmed=declaration.confirmed,
            )
        except TenancyNotFound:
            raise Http404("Locataire introuvable") from None
        except DeclarationRefused as refusal:
            warnings = _warnings(portfolio, recipient_number, amount=amount, year=declaration.year)
            raise _refused(refusal, warnings=warnings or None) from None
        line = _line_of(submission)
        return 201, {
            "recipient_number": recipient_number,
            "year": declaration.year,
            "amount": amount_text(line["amount"]),
            "version": line["version"],
            "acknowledgement_id": submission.pk,
            "declared_at": submission.submitted_at.isoformat(),
        }

    status, body = idempotency.run_once(request, key=idempotency_key, write=write)
    response["Location"] = (
        f"/api/v1/portfolios/{portfolio.pk}/acknowledgements/{body['acknowledgement_id']}"
    )
    return Status(status, body)
