"""Writes of the landlord's other duties, one module per family: ``unpaid`` (unpaid-rent
reports), ``changes`` (departures and other changes); ``common`` what they share. Every function
is keyword-only and atomic, checks the right to declare on the portfolio (403), records an
audit event, and bumps the report's ``version`` and ``updated_at`` (for an export).
"""

from .changes import (
    check_change,
    confirm_changes_closed_by_feed,
    correct_change,
    handle_change,
    report_change,
    withdraw_change,
)
from .common import CANNOT_DECLARE, ReportRefused
from .unpaid import (
    declare_debt_paid_off,
    repayment_plan_downloaded,
    report_unpaid_rent,
    send_repayment_plan,
    set_unpaid_report_status,
)

__all__ = [
    "CANNOT_DECLARE",
    "ReportRefused",
    "check_change",
    "confirm_changes_closed_by_feed",
    "correct_change",
    "declare_debt_paid_off",
    "handle_change",
    "repayment_plan_downloaded",
    "report_change",
    "report_unpaid_rent",
    "send_repayment_plan",
    "set_unpaid_report_status",
    "withdraw_change",
]
