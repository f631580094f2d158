"""What the writes of the obligations app share: the refusal, the right to declare, the locked
tenancy."""

from django.core.exceptions import PermissionDenied

from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import may_declare

# What a user who may only consult the portfolio is told, on the screens and through the API.
CANNOT_DECLARE = "Vous pouvez consulter ce parc mais pas y faire de déclaration."


class ReportRefused(Exception):
    """A report that cannot be recorded; ``message`` says why and what to do, in French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def check_may_declare(user, portfolio: Portfolio) -> None:
    if not may_declare(user, portfolio):
        raise PermissionDenied(CANNOT_DECLARE)


def locked_tenancy(portfolio: Portfolio, tenancy_id: int) -> Tenancy:
    tenancy = Tenancy.objects.select_for_update().filter(portfolio=portfolio, pk=tenancy_id).first()
    if tenancy is None:
        raise ReportRefused("Ce locataire n'est pas dans ce parc.")
    return tenancy
