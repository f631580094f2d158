"""The business event of payments (portail.events): payments posted by the feed. One event per
portfolio and import (not per line), recorded only for the landlords somebody listens to (a
webhook for it): an import touches thousands of portfolios."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from portail.events.models import Kind
from portail.events.services import emit, listening_landlords
from portail.portfolios.models import Portfolio


def payments_posted(*, months: Iterable[tuple[int, datetime.date]]) -> int:
    """``months``: the (portfolio id, month paid) the import created or changed payments in.
    Records one payment.posted event per listened-to portfolio; returns how many."""
    by_portfolio: dict[int, set[datetime.date]] = defaultdict(set)
    for portfolio_id, period in months:
        by_portfolio[portfolio_id].add(period)
    if not by_portfolio:
        return 0
    landlords = dict(Portfolio.objects.filter(pk__in=by_portfolio).values_list("pk", "landlord_id"))
    listening = listening_landlords(Kind.PAYMENT_POSTED, set(landlords.values()))
    emitted = 0
    for portfolio_id in sorted(by_portfolio):
        if landlords.get(portfolio_id) in listening:
            emit(
                kind=Kind.PAYMENT_POSTED,
                landlord_id=landlords[portfolio_id],
                portfolio_id=portfolio_id,
                data={"months": [m.isoformat() for m in sorted(by_portfolio[portfolio_id])]},
            )
            emitted += 1
    return emitted
