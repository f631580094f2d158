"""Direct payments of a portfolio (the payments page's selector), in the month index's order,
keyset-paginated: by month, then recipient number and reference."""

import datetime

from django.db.models import Q
from ninja import Query, Router, Schema

from portail.payments import selectors
from portail.payments.models import Payment

from .. import pagination
from ..problems import Problem
from ..queries import query_parameters
from ..schemas import Amount, ProblemOut, amount_text
from ..selectors import portfolio_of_token

router = Router(tags=["payments"])
NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot compare text holding NUL
MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"


class PaymentOut(Schema):
    reference: str
    recipient_number: str
    month: str
    amount: Amount
    paid_on: datetime.date


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None


@router.get(
    "/portfolios/{portfolio_id}/payments",
    response={200: PaymentPage, 404: ProblemOut},
    operation_id="list_payments",
)
@query_parameters("month", "search", "cursor", "limit")
def list_payments(
    request,
    portfolio_id: int,
    month: str | None = Query(None, pattern=MONTH_PATTERN, description="e.g. 2026-10"),
    search: str | None = Query(
        None,
        max_length=100,
        pattern=NO_NUL,
        description="Start of a recipient number, or a name (with month)",
    ),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.LARGEST_LIMIT),
):
    """The portfolio's payments from the agency, month by month (or one ``month``), by
    recipient number; follow ``next_cursor`` for the next page."""
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    if month is not None:
        period = datetime.date(int(month[:4]), int(month[5:]), 1)
        queryset = selectors.month_payments(portfolio, period=period, search=search or "")
    elif search:
        raise Problem(
            422, "Précisez le mois (month) pour chercher un paiement.", slug="validation-error"
        )
    else:
        queryset = Payment.objects.filter(portfolio=portfolio)
    after = pagination.decode(cursor, str, str, str)
    if after is not None:
        try:
            when = datetime.date.fromisoformat(after[0])
        except ValueError:
            raise pagination.invalid() from None
        queryset = queryset.filter(
            Q(period__gt=when)
            | Q(period=when, recipient_number__gt=after[1])
            | Q(period=when, recipient_number=after[1], reference__gt=after[2])
        )
    rows = list(
        queryset.order_by("period", "recipient_number", "reference").values_list(
            "reference", "recipient_number", "period", "amount", "paid_on"
        )[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "reference": reference,
                "recipient_number": number,
                "month": period.strftime("%Y-%m"),
                "amount": amount_text(amount),
                "paid_on": paid_on,
            }
            for reference, number, period, amount, paid_on in rows
        ],
        "next_cursor": (
            pagination.encode([rows[-1][2].isoformat(), rows[-1][1], rows[-1][0]]) if more else None
        ),
    }
