"""Rent rules that need no database: which year's campaign is running."""

import datetime

CAMPAIGN_OPENING_MONTH = 7


def campaign_year(today: datetime.date) -> int:
    """The year N whose July rent is being declared: N from 1 July N, N-1 before."""
    return today.year if today.month >= CAMPAIGN_OPENING_MONTH else today.year - 1
