"""What the landlord's screens of the other duties share: a write through its form and its
service (``recorded``), the portfolio the user may declare on (403 otherwise)."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied

from portail.portfolios.selectors import portfolio_for_request

from .. import services

T = TypeVar("T")


def recorded(form, write: Callable[[], T], *, field: str | None = None) -> T | None:
    """What the service ``write`` returns once the form is valid; None when the form is not,
    or when the service refuses (ReportRefused: its French message put on the form, on
    ``field`` or on the form as a whole, for the page to show again)."""
    if not form.is_valid():
        return None
    try:
        return write()
    except services.ReportRefused as refusal:
        form.add_error(field, refusal.message)
        return None


def declaring_portfolio(request, portfolio_id):
    portfolio = portfolio_for_request(request, portfolio_id)
    if not portfolio.may_declare:
        raise PermissionDenied(services.CANNOT_DECLARE)
    return portfolio
