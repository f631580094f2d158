"""Declare or correct a July rent: rents.declarations.declare_rent, the screen's service, with
its French refusals; an Idempotency-Key makes a retried request record once."""

import uuid

from django.db.models import BigIntegerField, CharField, F, FilteredRelation, Q
from django.http import Http404, HttpResponse
from ninja import Header, Router, Status

from portail.common import clock
from portail.common.prepared import Param, compiled
from portail.help.difficulties import Difficulty
from portail.portfolios.models import Tenancy
from portail.rents import rules, selectors
from portail.rents.declarations import DeclarationRefused, amount_warnings_for, declare_rent

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


def _warnings(portfolio, tenancy, *, amount, year: int) -> list[str]:
    """The screen's reasons to confirm this amount, on a refusal only (the rents read then)."""
    with_rents = tenancy_of_portfolio(portfolio, tenancy.recipient_number, year=year)
    return amount_warnings_for(with_rents, amount=amount, year=year)


def _refused(refusal: DeclarationRefused, **extensions) -> Problem:
    return Problem(
        422,
        refusal.message,
        slug="declaration-refused",
        help_entry=refusal.help_entry,
        **extensions,
    )


def _tenancy_to_declare(portfolio, recipient_number: str, *, year: int):
    """The tenancy's id and, to base a correction on, the version of its current July N rent
    when a landlord declared it (``current_version``) and whether its current rent is
    another's (``rent_current`` without a version): one light query, no status."""
    tenancy = _tenancy_to_declare_query(year).first(
        portfolio=portfolio.pk, recipient_number=recipient_number
    )
    if tenancy is None:
        raise Http404("Locataire introuvable")
    return tenancy


@compiled
def _tenancy_to_declare_query(year: int):
    return (
        Tenancy.objects.filter(
            portfolio_id=Param("portfolio", BigIntegerField()),
            recipient_number=Param("recipient_number", CharField()),
        )
        .annotate(current_july=FilteredRelation("july_rents", condition=Q(july_rents__year=year)))
        .annotate(
            rent_current=F("current_july__amount"), current_version=F("current_july__version")
        )
        .only("pk", "recipient_number")
        .order_by("pk")[:1]
    )


def _current_version(tenancy, *, year: int, campaign_year: int) -> int:
    """The version a correction is based on when the software names none: the current
    declared one, read with the tenancy (``current_version``) in the usual case; else the
    service's own reading (selectors.latest_declaration)."""
    if year == campaign_year and (tenancy.rent_current is None or tenancy.current_version):
        return tenancy.current_version or 0
    latest = selectors.latest_declaration(tenancy, year=year)
    return latest.version if latest else 0


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
    campaign_year = rules.campaign_year(clock.today())
    tenancy = _tenancy_to_declare(portfolio, recipient_number, year=campaign_year)
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
        expected = declaration.based_on_version
        if expected is None:
            expected = _current_version(tenancy, year=declaration.year, campaign_year=campaign_year)
        try:
            submission = declare_rent(
                user=request.user,
                portfolio=portfolio,
                tenancy_id=tenancy.pk,
                year=declaration.year,
                amount=amount,
                token=uuid.uuid5(SUBMISSION_NAMESPACE, f"{request.auth.pk}:{idempotency_key}"),
                expected_version=expected,
                confirmed=declaration.confirmed,
            )
        except DeclarationRefused as refusal:
            warnings = _warnings(portfolio, tenancy, amount=amount, year=declaration.year)
            raise _refused(refusal, warnings=warnings or None) from None
        line = _line_of(submission)
        return 201, {
            "recipient_number": tenancy.recipient_number,
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
